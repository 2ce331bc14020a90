import type { Task } from "@/lib/api";

/** A JWT-shaped string whose payload has `exp` (seconds); the signature is not checked client-side. */
export function fakeJwt(exp: number, sub = "user-1"): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "HS256", typ: "at+jwt" })}.${part({ sub, exp })}.signature`;
}

export function makeTask(overrides: Partial<Task> = {}): Task {
  return {
    id: 1,
    user_id: "user-1",
    title: "Write the report",
    description: null,
    completed: false,
    priority: "medium",
    due_date: null,
    completed_at: null,
    created_at: "2026-11-01T10:00:00+00:00",
    updated_at: "2026-11-01T10:00:00+00:00",
    ...overrides,
  };
}
