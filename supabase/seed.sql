-- Facet needs no seed data: the first admin and workspace are created on first start
-- (FACET_ADMIN_EMAIL / FACET_ADMIN_PASSWORD, or the /setup page), with the default label schema.
select 1;
