-- The columns of the catalog's tables in attnum order, with the type under any domain (nested
-- domains are followed to the first non-domain type).
-- $1: the oids of the catalog's tables, as oid[].
WITH RECURSIVE domain_base (domain_oid, base_oid, base_typmod) AS (
    SELECT t.oid, t.typbasetype, t.typtypmod
      FROM pg_type t
     WHERE t.typtype = 'd'
    UNION ALL
    SELECT db.domain_oid, inner_type.typbasetype,
           CASE WHEN inner_type.typtypmod <> -1 THEN inner_type.typtypmod ELSE db.base_typmod END
      FROM domain_base db
      JOIN pg_type inner_type ON inner_type.oid = db.base_oid
     WHERE inner_type.typtype = 'd'
)
SELECT a.attrelid::bigint AS table_oid,
       a.attname AS column_name,
       format_type(a.atttypid, a.atttypmod) AS type,
       coalesce(format_type(db.base_oid, db.base_typmod), format_type(a.atttypid, a.atttypmod)) AS base_type,
       base_type.typcategory::text AS type_category,
       a.attnotnull AS not_null,
       a.attgenerated <> '' AS generated,
       a.attidentity <> '' AS identity
  FROM pg_attribute a
  LEFT JOIN domain_base db
         ON db.domain_oid = a.atttypid
        AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.oid = db.base_oid AND t.typtype = 'd')
  JOIN pg_type base_type ON base_type.oid = coalesce(db.base_oid, a.atttypid)
 WHERE a.attrelid = ANY ($1::oid[])
   AND a.attnum > 0
   AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum;
