-- Live's non-default object ACLs, one row per privilege (an object whose ACL is empty has one row
-- with a NULL privilege), then its column ACLs; the grantee '' is the object's owner.
WITH objects AS (@privileged_objects@)
SELECT o.kind, o.name, '' AS column_name, a.privilege_type, a.is_grantable,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' WHEN a.grantee = o.owner THEN ''
            ELSE quote_ident(pg_get_userbyid(a.grantee)) END
FROM objects o LEFT JOIN LATERAL aclexplode(o.acl) a ON true
WHERE o.acl IS NOT NULL
UNION ALL
SELECT 'TABLE', quote_ident(n.nspname) || '.' || quote_ident(c.relname), quote_ident(at.attname),
       a.privilege_type, a.is_grantable,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' WHEN a.grantee = c.relowner THEN ''
            ELSE quote_ident(pg_get_userbyid(a.grantee)) END
FROM pg_attribute at JOIN pg_class c ON c.oid = at.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN LATERAL aclexplode(at.attacl) a
WHERE at.attacl IS NOT NULL AND at.attnum > 0 AND NOT at.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND @user_schemas@
ORDER BY 1, 2, 3, 6, 4
