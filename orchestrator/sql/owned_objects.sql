-- Every object of the copy not owned by $1 that ALTER … OWNER TO can hand over, as that statement's
-- head ("ALTER TABLE public.users"): the restore made them the syncing role's (--no-owner). Left
-- out: system schemas, extension members and objects internal to another (a table's row type, an
-- identity sequence), sequences owned by a column and indexes (they follow their table), and
-- objects owned by pg_database_owner (schema public, which follows the database's owner).
WITH candidates AS (
    SELECT 'pg_class'::regclass AS classid, c.oid AS objid, c.relowner AS owner FROM pg_class c
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND c.relkind = 'S')
    UNION ALL SELECT 'pg_namespace'::regclass, oid, nspowner FROM pg_namespace
    UNION ALL SELECT 'pg_type'::regclass, oid, typowner FROM pg_type
    UNION ALL SELECT 'pg_proc'::regclass, oid, proowner FROM pg_proc
    UNION ALL SELECT 'pg_collation'::regclass, oid, collowner FROM pg_collation
    UNION ALL SELECT 'pg_conversion'::regclass, oid, conowner FROM pg_conversion
    UNION ALL SELECT 'pg_operator'::regclass, oid, oprowner FROM pg_operator
    UNION ALL SELECT 'pg_opclass'::regclass, oid, opcowner FROM pg_opclass
    UNION ALL SELECT 'pg_opfamily'::regclass, oid, opfowner FROM pg_opfamily
    UNION ALL SELECT 'pg_ts_dict'::regclass, oid, dictowner FROM pg_ts_dict
    UNION ALL SELECT 'pg_ts_config'::regclass, oid, cfgowner FROM pg_ts_config
    UNION ALL SELECT 'pg_statistic_ext'::regclass, oid, stxowner FROM pg_statistic_ext
    UNION ALL SELECT 'pg_foreign_server'::regclass, oid, srvowner FROM pg_foreign_server
    -- Large objects are identified by pg_largeobject, though their owners live in the metadata.
    UNION ALL SELECT 'pg_largeobject'::regclass, oid, lomowner FROM pg_largeobject_metadata
)
SELECT 'ALTER ' || CASE i.type WHEN 'statistics object' THEN 'STATISTICS' WHEN 'composite type' THEN 'TYPE'
                               ELSE upper(i.type) END || ' ' || i.identity
FROM candidates o CROSS JOIN LATERAL pg_identify_object(o.classid, o.objid, 0) i
LEFT JOIN pg_namespace n ON n.nspname = coalesce(i.schema, CASE WHEN i.type = 'schema' THEN i.name END)
WHERE o.owner NOT IN ($1::regrole, 'pg_database_owner'::regrole)
  AND (n.oid IS NULL OR (@user_schemas@))
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = o.classid AND d.objid = o.objid
                  AND (d.deptype = 'e' OR (d.deptype = 'i' AND NOT (d.refclassid = o.classid AND d.refobjid = o.objid))))
ORDER BY o.classid::oid, 1
