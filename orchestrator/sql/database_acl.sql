-- The privileges on database $1 (an oid), one row per privilege; the grantee '' is its owner.
SELECT a.privilege_type, a.is_grantable,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' WHEN a.grantee = d.datdba THEN ''
            ELSE quote_ident(pg_get_userbyid(a.grantee)) END
FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a WHERE d.oid = $1::oid
ORDER BY 3, 1
