-- bench/gen-tickets.sql - fills a Kefu database (migrated, with its site and users made by the
-- CLI) with n tickets and one first message each, straight in SQL (the API would take hours
-- for 1M). bench/tickets-inbox.sh runs it after creating p(n, site, agent, admin, now):
--   sqlite3 kefu.db "CREATE TEMP TABLE p AS SELECT 1000000 n, 1 site, 2 agent, 1 admin, <now> now" \
--     ".read bench/gen-tickets.sql"
-- Deterministic (hashes of the row number, no random()). The shape of a shop's history:
-- 65% closed, 15% resolved, 8% open, 7% new, 5% pending; a third assigned to the agent, a
-- third to the admin, a third unassigned; types mostly questions, then returns, complaints,
-- repairs; created over the 2 years before now, the open ones recent; SLA due times on the
-- tickets that are not done, some of them past (at risk or breached).
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
BEGIN;

INSERT INTO tickets (site_id, subject, channel, type, priority, status, assignee_id, requester_name,
                     requester_email, created_at, updated_at, first_response_at, resolved_at, closed_at,
                     sla_first_due, sla_resolve_due)
WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < (SELECT n FROM p)),
u(x, u1, u2, u3, u4) AS (
  SELECT x, ((x * 2654435761) % 4294967291) / 4294967291.0, ((x * 2246822519 + 7) % 4294967279) / 4294967279.0,
         ((x * 3266489917 + 13) % 4294967231) / 4294967231.0, ((x * 668265263 + 17) % 4294967197) / 4294967197.0
  FROM i),
t(x, status, u2, u3, u4) AS (
  SELECT x, CASE WHEN u1 < 0.65 THEN 'closed' WHEN u1 < 0.80 THEN 'resolved' WHEN u1 < 0.88 THEN 'open'
                 WHEN u1 < 0.95 THEN 'new' ELSE 'pending' END, u2, u3, u4 FROM u),
c(x, status, created, u3, u4) AS (
  SELECT x, status,
         (SELECT now FROM p) - CAST(CASE WHEN status IN ('closed', 'resolved') THEN 63072000 * u2 ELSE 1209600 * u2 END AS INTEGER),
         u3, u4 FROM t)
SELECT p.site,
       CASE CAST(u3 * 6 AS INTEGER) WHEN 0 THEN '退货申请 #' || x WHEN 1 THEN '物流查询 order ' || x
            WHEN 2 THEN '投诉：包装破损 ' || x WHEN 3 THEN '维修：耳机无声 ' || x WHEN 4 THEN 'Invoice request ' || x
            ELSE '发票怎么开 ' || x END,
       CASE CAST(u4 * 4 AS INTEGER) WHEN 0 THEN 'email' WHEN 1 THEN 'form' WHEN 2 THEN 'chat' ELSE 'web' END,
       CASE CAST(u3 * 6 AS INTEGER) WHEN 0 THEN 'return' WHEN 2 THEN 'complaint' WHEN 3 THEN 'repair' ELSE 'question' END,
       CASE WHEN u4 < 0.05 THEN 'urgent' WHEN u4 < 0.20 THEN 'high' WHEN u4 < 0.90 THEN 'normal' ELSE 'low' END,
       status,
       CASE x % 3 WHEN 0 THEN p.agent WHEN 1 THEN p.admin ELSE NULL END,
       'Customer ' || (x % 200000), 'c' || (x % 200000) || '@example.com',
       created, created + 600,
       CASE WHEN status = 'new' THEN 0 ELSE created + 1800 END,
       CASE WHEN status IN ('resolved', 'closed') THEN created + 86400 ELSE 0 END,
       CASE WHEN status = 'closed' THEN created + 172800 ELSE 0 END,
       CASE WHEN status IN ('new', 'open', 'pending') THEN created + 3600 ELSE 0 END,
       CASE WHEN status IN ('new', 'open', 'pending') THEN created + 86400 ELSE 0 END
FROM c, p;

INSERT INTO ticket_messages (ticket_id, site_id, kind, author_kind, author_name, author_email, body, created_at)
SELECT id, site_id, 'public', 'customer', requester_name, requester_email,
       '您好，' || subject || '。请尽快处理，谢谢！ Hello, please help with ' || subject, created_at
FROM tickets WHERE site_id = (SELECT site FROM p);

COMMIT;
PRAGMA journal_mode = WAL;
