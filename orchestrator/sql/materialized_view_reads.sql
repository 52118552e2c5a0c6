-- Every materialized view another materialized view reads, directly or through plain views (a
-- view's query is a pg_rewrite rule; pg_depend records the relations the rule reads).
-- $1: the materialized views to look at, as quoted names in a text[].
WITH RECURSIVE reads(matview, relation) AS (
    SELECT r.ev_class, d.refobjid
      FROM pg_rewrite r
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class
     WHERE r.ev_class IN (SELECT name::regclass FROM unnest($1::text[]) AS names(name))
    UNION
    SELECT reads.matview, d.refobjid
      FROM reads
      JOIN pg_class c ON c.oid = reads.relation AND c.relkind = 'v'
      JOIN pg_rewrite r ON r.ev_class = c.oid
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class)
SELECT mn.nspname AS reader_schema, m.relname AS reader_name, rn.nspname AS read_schema, rc.relname AS read_name
  FROM reads
  JOIN pg_class m ON m.oid = reads.matview
  JOIN pg_namespace mn ON mn.oid = m.relnamespace
  JOIN pg_class rc ON rc.oid = reads.relation AND rc.relkind = 'm'
  JOIN pg_namespace rn ON rn.oid = rc.relnamespace;
