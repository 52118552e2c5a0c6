-- The foreign servers (and their wrappers) the foreign tables of schemas $1 (a text[]) use, and whether
-- the wrapper stands alone (true) rather than coming with an extension: the copy must create those.
SELECT DISTINCT s.srvname, w.fdwname,
       NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_foreign_data_wrapper'::regclass
                   AND d.objid = w.oid AND d.deptype = 'e')
FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_foreign_server s ON s.oid = ft.ftserver JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
WHERE n.nspname = ANY($1::text[])
