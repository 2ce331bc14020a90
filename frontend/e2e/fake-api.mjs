// A small in-memory stand-in for the gateway (Better Auth routes of WIRE.md + the tasks API of
// CONTRACT.md), for working on the front end without the Python services. Not for CI.
//   node e2e/fake-api.mjs            (PORT=8000, FRONTEND_ORIGIN=http://localhost:3000)
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";

const PORT = Number(process.env.PORT ?? 8000);
const FRONTEND_ORIGIN = process.env.FRONTEND_ORIGIN ?? "http://localhost:3000";
const COOKIE = "better-auth.session_token";
const PRIORITY_RANK = { low: 0, medium: 1, high: 2 };

const users = new Map(); // email -> {user, password}
const sessions = new Map(); // session token -> {id, userId}
const accessTokens = new Map(); // jwt -> session token
const tasks = [];
let nextTaskId = 1;

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => new Date().toISOString();

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

function fail(res, status, detail, code) {
  send(res, status, { detail, message: detail, code, request_id: randomUUID() });
}

function readJson(req) {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => {
      try {
        resolve(data ? JSON.parse(data) : {});
      } catch {
        resolve(null);
      }
    });
  });
}

function sessionFrom(req) {
  const cookie = (req.headers.cookie ?? "").split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`));
  const token = cookie && decodeURIComponent(cookie.slice(COOKIE.length + 1)).split(".")[0];
  const session = token && sessions.get(token);
  return session ? { token, ...session } : null;
}

function bearerUser(req) {
  const jwt = (req.headers.authorization ?? "").replace(/^Bearer /i, "");
  const sessionToken = accessTokens.get(jwt);
  return sessionToken && sessions.has(sessionToken) ? sessions.get(sessionToken).userId : null;
}

function startSession(res, user, extra = {}) {
  const token = randomBytes(16).toString("hex");
  sessions.set(token, { id: randomUUID(), userId: user.id });
  const signed = `${token}.fakesignaturefakesignaturefakesignature0000=`;
  send(res, 200, { ...extra, token, user }, {
    "set-cookie": `${COOKIE}=${encodeURIComponent(signed)}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax`,
    "set-auth-token": signed,
  });
}

const clearCookie = { "set-cookie": `${COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax` };

async function auth(req, res, path) {
  const session = sessionFrom(req);
  const findUser = (id) => [...users.values()].find((u) => u.user.id === id)?.user;
  if (req.method === "POST" && path === "/sign-up/email") {
    const { name, email, password } = (await readJson(req)) ?? {};
    if (typeof password !== "string" || password.length < 8) return fail(res, 400, "Password too short", "PASSWORD_TOO_SHORT");
    const key = String(email).toLowerCase();
    if (users.has(key)) return fail(res, 422, "User already exists. Use another email.", "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
    const user = { id: randomUUID(), name: name ?? "", email: key, emailVerified: false, image: null, createdAt: now(), updatedAt: now() };
    users.set(key, { user, password });
    return startSession(res, user);
  }
  if (req.method === "POST" && path === "/sign-in/email") {
    const { email, password } = (await readJson(req)) ?? {};
    const entry = users.get(String(email).toLowerCase());
    if (!entry || entry.password !== password) return fail(res, 401, "Invalid email or password", "INVALID_EMAIL_OR_PASSWORD");
    return startSession(res, entry.user, { redirect: false });
  }
  if (req.method === "GET" && path === "/get-session") {
    if (!session) return send(res, 200, null, { "cache-control": "no-store", ...(req.headers.cookie?.includes(COOKIE) ? clearCookie : {}) });
    const user = findUser(session.userId);
    return send(res, 200, { session: { id: session.id, token: session.token, userId: user.id }, user }, { "cache-control": "no-store" });
  }
  if (req.method === "POST" && path === "/sign-out") {
    if (session) sessions.delete(session.token);
    return send(res, 200, { success: true }, clearCookie);
  }
  if (req.method === "GET" && path === "/token") {
    if (!session) return fail(res, 401, "Unauthorized", "UNAUTHORIZED");
    const iat = Math.floor(Date.now() / 1000);
    const jwt = `${b64url({ alg: "HS256", typ: "at+jwt" })}.${b64url({ sub: session.userId, iat, exp: iat + 900, jti: randomUUID() })}.fake`;
    accessTokens.set(jwt, session.token);
    return send(res, 200, { token: jwt });
  }
  if (req.method === "POST" && path === "/logout-all") {
    const userId = bearerUser(req);
    if (!userId) return fail(res, 401, "Not authenticated", "not_authenticated");
    for (const [token, s] of sessions) if (s.userId === userId) sessions.delete(token);
    return send(res, 200, { message: "Logged out everywhere" });
  }
  return send(res, 404);
}

function listTasks(res, userId, query) {
  let list = tasks.filter((t) => t.user_id === userId);
  if (query.has("completed")) list = list.filter((t) => String(t.completed) === query.get("completed"));
  if (query.has("priority")) list = list.filter((t) => t.priority === query.get("priority"));
  const q = query.get("q")?.toLowerCase();
  if (q) list = list.filter((t) => `${t.title} ${t.description ?? ""}`.toLowerCase().includes(q));
  const day = (value) => new Date(value).toISOString();
  if (query.has("due_from")) list = list.filter((t) => t.due_date && day(t.due_date) >= day(query.get("due_from")));
  if (query.has("due_before")) list = list.filter((t) => t.due_date && day(t.due_date) < day(query.get("due_before")));
  const sort = query.get("sort") ?? "created_at";
  const key = (t) => (sort === "priority" ? PRIORITY_RANK[t.priority] : (t[sort] ?? "\uffff"));
  const dir = query.get("order") === "asc" ? 1 : -1;
  list.sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : (a.id - b.id) * dir));
  const limit = Number(query.get("limit") ?? 50);
  if (!(limit >= 1 && limit <= 100)) return fail(res, 422, "limit must be between 1 and 100", "validation_error");
  const offset = Number(query.get("offset") ?? 0);
  send(res, 200, list.slice(offset, offset + limit), { "x-total-count": String(list.length) });
}

/** The stats route's answer, counted in the caller's time zone (`tz`) like the real one. */
function stats(res, userId, timeZone) {
  const dayIn = (value) => new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date(value));
  const today = dayIn(Date.now());
  const mine = tasks.filter((t) => t.user_id === userId);
  const open = (t) => !t.completed;
  const dueDay = (t) => t.due_date && new Date(t.due_date).toISOString().slice(0, 10);
  const count = (list) => ({ total: list.length, open: list.filter(open).length, completed: list.filter((t) => t.completed).length });
  const days = Array.from({ length: 30 }, (_, i) => dayIn(Date.parse(`${today}T12:00:00Z`) - (29 - i) * 86_400_000));
  send(res, 200, {
    time_zone: timeZone,
    today,
    ...count(mine),
    overdue: mine.filter((t) => open(t) && dueDay(t) && dueDay(t) < today).length,
    due_today: mine.filter((t) => open(t) && dueDay(t) === today).length,
    by_priority: Object.fromEntries(["low", "medium", "high"].map((p) => [p, count(mine.filter((t) => t.priority === p))])),
    completed_by_day: days.map((date) => ({ date, completed: mine.filter((t) => t.completed_at && dayIn(t.completed_at) === date).length })),
  });
}

async function tasksApi(req, res, userId, rest, query) {
  const caller = bearerUser(req);
  if (!caller) return fail(res, 401, "Not authenticated", "not_authenticated");
  if (caller !== userId) return fail(res, 403, "Access denied to this resource", "forbidden");
  if (rest === "" && req.method === "GET") return listTasks(res, userId, query);
  if (rest === "" && req.method === "POST") {
    const body = await readJson(req);
    if (!body?.title?.trim()) return fail(res, 422, "Title must not be empty", "validation_error");
    const task = { id: nextTaskId++, user_id: userId, title: body.title.trim(), description: body.description ?? null, completed: false, priority: body.priority ?? "medium", due_date: body.due_date ?? null, completed_at: null, created_at: now(), updated_at: now() };
    tasks.push(task);
    return send(res, 201, task);
  }
  if (rest === "/stats" && req.method === "GET") return stats(res, userId, query.get("tz") ?? "UTC");
  const [, idText, action] = rest.match(/^\/(\d+)(\/complete)?$/) ?? [];
  const task = tasks.find((t) => t.id === Number(idText) && t.user_id === userId);
  if (!task) return fail(res, 404, "Task not found", "not_found");
  const complete = (done) => ({ completed: done, completed_at: done ? (task.completed_at ?? now()) : null });
  if (action && req.method === "PATCH") Object.assign(task, complete(!task.completed), { updated_at: now() });
  else if (!action && (req.method === "PUT" || req.method === "PATCH")) {
    const body = (await readJson(req)) ?? {};
    Object.assign(task, body, "completed" in body ? complete(body.completed) : {}, { updated_at: now() });
  }
  else if (!action && req.method === "DELETE") {
    tasks.splice(tasks.indexOf(task), 1);
    return send(res, 200, { id: task.id, deleted: true });
  } else if (!(!action && req.method === "GET")) return fail(res, 405, "Method not allowed", "method_not_allowed");
  return send(res, 200, task);
}

createServer(async (req, res) => {
  if (req.headers.origin === FRONTEND_ORIGIN) {
    res.setHeader("access-control-allow-origin", FRONTEND_ORIGIN);
    res.setHeader("access-control-allow-credentials", "true");
    res.setHeader("access-control-expose-headers", "set-auth-token, set-auth-jwt, x-request-id, x-total-count");
  }
  if (req.method === "OPTIONS") {
    res.setHeader("access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE");
    res.setHeader("access-control-allow-headers", "content-type, authorization");
    return send(res, 204);
  }
  const url = new URL(req.url, "http://localhost");
  if (url.pathname.startsWith("/api/auth/")) return auth(req, res, url.pathname.slice("/api/auth".length));
  const match = url.pathname.match(/^\/api\/([^/]+)\/tasks(\/.*)?$/);
  if (match) return tasksApi(req, res, decodeURIComponent(match[1]), match[2] ?? "", url.searchParams);
  if (url.pathname === "/healthz") return send(res, 200, { status: "ok" });
  return fail(res, 404, "Not found", "not_found");
}).listen(PORT, "localhost", () => console.log(`fake API on http://localhost:${PORT}`));
