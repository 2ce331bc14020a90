import { describe, expect, it, vi } from "vitest";

import type { AccessTokenSource } from "@/lib/access-token";
import { ApiError, createApiClient } from "@/lib/api";
import { makeTask } from "@/test/fixtures";

function json(body: unknown, init: ResponseInit = {}) {
  return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" }, ...init });
}

function setup(...responses: (Response | Error)[]) {
  const fetch = vi.fn<typeof globalThis.fetch>();
  for (const response of responses) {
    if (response instanceof Error) fetch.mockRejectedValueOnce(response);
    else fetch.mockResolvedValueOnce(response);
  }
  let n = 0;
  const accessToken: AccessTokenSource = { get: vi.fn(async () => `token-${++n}`), clear: vi.fn() };
  const api = createApiClient({ baseUrl: "http://api.test", accessToken, fetch });
  const call = (i = 0) => {
    const [url, init] = fetch.mock.calls[i];
    return { url: String(url), method: init?.method ?? "GET", headers: new Headers(init?.headers), body: init?.body };
  };
  return { api, fetch, accessToken, call };
}

describe("the tasks API client", () => {
  it("lists tasks with filters, a bearer token and the total from X-Total-Count", async () => {
    const tasks = [makeTask()];
    const { api, call } = setup(json(tasks, { headers: { "X-Total-Count": "42" } }));

    const page = await api.getTasks("u/1", { completed: false, priority: "high", q: "report", sort: "due_date", order: "asc", limit: 20, offset: 40 });

    expect(page).toEqual({ tasks, total: 42 });
    const { url, method, headers } = call();
    expect(method).toBe("GET");
    expect(url).toBe(
      "http://api.test/api/u%2F1/tasks?completed=false&priority=high&q=report&sort=due_date&order=asc&limit=20&offset=40",
    );
    expect(headers.get("Authorization")).toBe("Bearer token-1");
  });

  it("asks for the stats in the user's time zone", async () => {
    const { api, call } = setup(json({ total: 0 }));

    await api.getStats("u1", "Europe/Paris");

    expect(call().url).toBe("http://api.test/api/u1/tasks/stats?tz=Europe%2FParis");
  });

  it("creates, updates and deletes with the right method, path and body", async () => {
    const task = makeTask({ id: 7 });
    const { api, call } = setup(json(task, { status: 201 }), json(task), json({ id: 7, deleted: true }));

    await expect(api.createTask("u1", { title: "Write", priority: "high", due_date: "2026-12-01T00:00:00Z" })).resolves.toEqual(task);
    await api.updateTask("u1", 7, { completed: true });
    await expect(api.deleteTask("u1", 7, { keepalive: true })).resolves.toEqual({ id: 7, deleted: true });

    expect(call(0)).toMatchObject({ url: "http://api.test/api/u1/tasks", method: "POST" });
    expect(JSON.parse(String(call(0).body))).toEqual({ title: "Write", priority: "high", due_date: "2026-12-01T00:00:00Z" });
    expect(call(0).headers.get("Content-Type")).toBe("application/json");
    expect(call(1)).toMatchObject({ url: "http://api.test/api/u1/tasks/7", method: "PUT", body: '{"completed":true}' });
    expect(call(2)).toMatchObject({ url: "http://api.test/api/u1/tasks/7", method: "DELETE" });
  });

  it("on a 401 fetches a new access token and retries once", async () => {
    const { api, accessToken, call } = setup(json({ detail: "Token revoked" }, { status: 401 }), json([]));

    await api.getTasks("u1");

    expect(accessToken.clear).toHaveBeenCalledOnce();
    expect(call(0).headers.get("Authorization")).toBe("Bearer token-1");
    expect(call(1).headers.get("Authorization")).toBe("Bearer token-2");
  });

  it("gives up after the retry is refused too", async () => {
    const refused = () => json({ detail: "Not authenticated", code: "not_authenticated" }, { status: 401 });
    const { api, fetch } = setup(refused(), refused());

    await expect(api.getTasks("u1")).rejects.toMatchObject({ status: 401, message: "Not authenticated" });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("turns the error envelope into an ApiError carrying detail, code, request id and the failed fields", async () => {
    const errors = [{ loc: ["body", "title"], msg: "String should have at least 1 character", type: "string_too_short" }];
    const { api } = setup(
      json(
        { detail: "Field 'title': string should have at least 1 character", message: "x", code: "validation_error", request_id: "req-9", errors },
        { status: 422 },
      ),
    );

    const error = await api.createTask("u1", { title: " ", priority: "low" }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      message: "Field 'title': string should have at least 1 character",
      status: 422,
      code: "validation_error",
      requestId: "req-9",
      fields: errors,
    });
  });

  it("falls back to a generic sentence when the error body is not JSON", async () => {
    const { api } = setup(new Response("Bad gateway", { status: 502 }));

    await expect(api.getTasks("u1")).rejects.toMatchObject({ status: 502, message: "Request failed (HTTP 502)." });
  });

  it("reports an unreachable server as a network error", async () => {
    const { api } = setup(new TypeError("Failed to fetch"));

    await expect(api.deleteTask("u1", 1)).rejects.toMatchObject({ status: 0, code: "network_error" });
  });

  it("signs out everywhere with the bearer token", async () => {
    const { api, call } = setup(json({ message: "ok" }));

    await api.logoutAll();

    expect(call()).toMatchObject({ url: "http://api.test/api/auth/logout-all", method: "POST" });
    expect(call().headers.get("Authorization")).toBe("Bearer token-1");
  });
});
