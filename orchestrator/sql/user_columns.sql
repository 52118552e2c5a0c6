-- Every column of the user's relations, so that a column privilege of live is granted only where the copy has the column.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), quote_ident(a.attname)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND @user_schemas@
