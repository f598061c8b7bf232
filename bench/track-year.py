# bench/track-year.py DB SITE_ID DAYS VIEWS_PER_DAY CHATS - writes a year of traffic for one site
# straight into a stopped kefu's database (run with /usr/bin/python3): the daily rollups and the
# compacted top lists that ~VIEWS_PER_DAY page views a day leave behind (raw page views are not
# written: the statistics never read them), and CHATS conversations spread over the days with
# first replies, durations, statuses and ratings. Deterministic (seeded), so runs compare.
import random
import sqlite3
import sys
import time

db_path, site, days, per_day, chats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rnd = random.Random(42)
db = sqlite3.connect(db_path)
today = int(time.time()) // 86400
first = today - days + 1

daily, top = [], []
for day in range(first, today + 1):
    views = int(per_day * rnd.uniform(0.7, 1.3))
    visitors = views // 4
    daily.append((site, day, visitors, int(visitors * 0.62), int(visitors * 1.1), views, views * 35))
    # A compacted day: its 30 best keys per list and one '(other)' row (today and yesterday keep more).
    keep = 500 if day >= today - 1 else 30
    left = views
    for k in range(keep):
        n = max(1, int(views * 0.3 / (k + 1)))
        top.append((site, day, 'page', f'https://shop.example/item/{k}', f'商品 {k}', n))
        left -= n
    top.append((site, day, 'page', '(other)', '', max(left, 0)))
    for k in range(min(keep, 20)):
        top.append((site, day, 'referrer', f'ref{k}.example.com', '', max(1, visitors // (5 * (k + 1)))))
    for k in range(10):
        top.append((site, day, 'campaign', f'campaign-{k}', 'baidu / cpc', max(1, visitors // (20 * (k + 1)))))

db.executemany('INSERT INTO track_daily (site_id, day, visitors, new_visitors, visits, pageviews, seconds) '
               'VALUES (?, ?, ?, ?, ?, ?, ?)', daily)
db.executemany('INSERT INTO track_daily_top (site_id, day, kind, key, label, n) VALUES (?, ?, ?, ?, ?, ?)', top)

# Conversations need visitors: one per ten chats is plenty for the statistics.
now = int(time.time())
vis = []
for i in range(chats // 10 + 1):
    cur = db.execute('INSERT INTO visitors (site_id, token_hash, created_at, last_seen) VALUES (?, ?, ?, ?)',
                     (site, f'bench-{site}-{i}', now, now))
    vis.append(cur.lastrowid)
rows = []
for i in range(chats):
    created = (first * 86400) + int((days * 86400 - 3600) * i / chats)
    r = rnd.random()
    status = 'closed' if r < 0.9 else 'offline' if r < 0.95 else 'active'
    reply = None if r > 0.92 else created * 1000 + int(rnd.expovariate(1 / 40) * 1000)
    closed = created + int(rnd.expovariate(1 / 420)) if status == 'closed' else None
    rating = rnd.choice([None, None, 3, 4, 5, 5])
    rows.append((site, vis[i % len(vis)], status, created, created, closed, reply, rating))
db.executemany('INSERT INTO conversations (site_id, visitor_id, status, created_at, updated_at, closed_at, '
               'first_reply_at, rating) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', rows)
db.commit()
print(f'{len(daily)} days, {sum(d[5] for d in daily)} page views in rollups, {len(top)} top rows, {len(rows)} conversations')
