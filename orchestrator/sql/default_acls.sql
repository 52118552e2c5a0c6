-- Live's default privileges (ALTER DEFAULT PRIVILEGES), one row per privilege, so the copy gets the same.
SELECT quote_ident(pg_get_userbyid(d.defaclrole)), coalesce(quote_ident(n.nspname), ''), d.defaclobjtype::text,
       a.privilege_type, a.is_grantable,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' WHEN a.grantee = d.defaclrole THEN ''
            ELSE quote_ident(pg_get_userbyid(a.grantee)) END
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
     LEFT JOIN LATERAL aclexplode(d.defaclacl) a ON true
ORDER BY 1, 2, 3, 6, 4
