-- The settings of database $1 (an oid), for everyone (role '') and per role, in the order ALTER set them.
SELECT coalesce(quote_ident(r.rolname), ''), c.setting
FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) WITH ORDINALITY c(setting, number)
LEFT JOIN pg_roles r ON r.oid = s.setrole
WHERE s.setdatabase = $1::oid
ORDER BY s.setrole, c.number
