-- wrk script for the tasks benchmark: POST a new task (the token comes in with -H).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title": "benchmark task", "description": "made by wrk", "priority": "high", "due_date": "2026-12-01"}'
