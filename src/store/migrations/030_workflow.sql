-- 030: after-sales workflows (issue 7, point 4). The shop's rules are one JSON document per site
-- in the settings table ("aftersales.<site id>", crm_site_setting_load), not a table: they are
-- read whole and saved whole. What needs SQL:
-- the open requests of an order (one open request per item) are found from the order's side
CREATE INDEX ticket_orders_order ON ticket_orders(order_id);
-- (no table of status-page tokens: every step's e-mail makes the link again from the ticket's
-- id and tickets.token_gen, ticket_status_token in the core)
