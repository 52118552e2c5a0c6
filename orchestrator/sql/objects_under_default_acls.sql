-- The ACL each object of the copy would have had if its owner had created it under the default
-- privileges now in the copy: the database-wide entry (or the built-in default) plus its schema's.
WITH objects AS (@privileged_objects@)
SELECT o.kind, o.name, '' AS column_name, a.privilege_type, a.is_grantable,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' WHEN a.grantee = o.owner THEN ''
            ELSE quote_ident(pg_get_userbyid(a.grantee)) END
FROM objects o
CROSS JOIN LATERAL (SELECT CASE o.kind WHEN 'TABLE' THEN 'r' WHEN 'SEQUENCE' THEN 'S' WHEN 'ROUTINE' THEN 'f'
                                       WHEN 'TYPE' THEN 'T' WHEN 'SCHEMA' THEN 'n' END::"char" AS code,
                           CASE o.kind WHEN 'TABLE' THEN 'r' WHEN 'SEQUENCE' THEN 's' WHEN 'ROUTINE' THEN 'f'
                                       WHEN 'TYPE' THEN 'T' WHEN 'SCHEMA' THEN 'n' END::"char" AS builtin) t
LEFT JOIN pg_default_acl g ON g.defaclrole = o.owner AND g.defaclnamespace = 0 AND g.defaclobjtype = t.code
LEFT JOIN pg_default_acl s ON s.defaclrole = o.owner AND s.defaclnamespace = o.namespace AND s.defaclobjtype = t.code
LEFT JOIN LATERAL aclexplode(coalesce(g.defaclacl, acldefault(t.builtin, o.owner)) || coalesce(s.defaclacl, '{}'))
          a ON true
WHERE t.code IS NOT NULL AND (g.oid IS NOT NULL OR s.oid IS NOT NULL)
ORDER BY 1, 2, 3, 6, 4
