import { createAccessTokenSource, type AccessTokenSource } from "@/lib/access-token";
import type { components, operations } from "@/lib/api-schema/tasks";
import { authClient } from "@/lib/auth-client";
import { API_URL } from "@/lib/config";

// The tasks API's types come from its OpenAPI document (`make openapi`), never written by hand.
type Schemas = components["schemas"];
export type Task = Schemas["TaskOut"];
export type Priority = Task["priority"];
export type TaskStats = Schemas["TaskStats"];
export type CreateTaskInput = Schemas["TaskCreate"];
export type UpdateTaskInput = Schemas["TaskUpdate"];
export type TaskFilters = NonNullable<operations["list_tasks_api__user_id__tasks_get"]["parameters"]["query"]>;
export type TaskSort = NonNullable<TaskFilters["sort"]>;
/** One failed field of a 422, as `loc` (e.g. `["body", "title"]`) and a message. */
export type FieldError = Schemas["FieldError"];

export interface TaskPage {
  tasks: Task[];
  /** All tasks matching the filters (`X-Total-Count`), not just this page. */
  total: number;
}

/** An API failure; `message` is the server's `detail`, ready to show to the user. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly requestId?: string,
    /** The failed fields of a 422. */
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const NETWORK_ERROR = "Could not reach the server. Check your connection and try again.";

/** The code of the error thrown when the session behind the access token is gone. */
export const SESSION_ENDED = "session_ended";

async function toApiError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  const text = (key: string) => (typeof body?.[key] === "string" ? (body[key] as string) : undefined);
  const message = text("detail") ?? text("message") ?? `Request failed (HTTP ${response.status}).`;
  const fields = Array.isArray(body?.errors) ? (body.errors as FieldError[]) : [];
  return new ApiError(message, response.status, text("code"), text("request_id"), fields);
}

function toQuery(query: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

interface ApiClientOptions {
  baseUrl: string;
  accessToken: AccessTokenSource;
  fetch?: typeof fetch;
}

/** The tasks API client: every call carries `Authorization: Bearer <access token>`. */
export function createApiClient({ baseUrl, accessToken, fetch: fetchImpl = fetch }: ApiClientOptions) {
  async function send(path: string, init: RequestInit = {}, isRetry = false): Promise<Response> {
    const token = await accessToken.get();
    const headers = new Headers(init.headers);
    headers.set("Accept", "application/json");
    headers.set("Authorization", `Bearer ${token}`);
    if (init.body !== undefined) headers.set("Content-Type", "application/json");

    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, { ...init, headers });
    } catch {
      throw new ApiError(NETWORK_ERROR, 0, "network_error");
    }
    if (response.status === 401 && !isRetry) {
      // The cached token may have been revoked or expired early: fetch a fresh one, once.
      accessToken.clear();
      return send(path, init, true);
    }
    if (!response.ok) throw await toApiError(response);
    return response;
  }

  async function request<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await send(path, init);
    return (await response.json()) as T;
  }

  const tasksPath = (userId: string) => `/api/${encodeURIComponent(userId)}/tasks`;
  const taskPath = (userId: string, taskId: number) => `${tasksPath(userId)}/${taskId}`;

  return {
    async getTasks(userId: string, filters: TaskFilters = {}): Promise<TaskPage> {
      const response = await send(`${tasksPath(userId)}${toQuery(filters)}`);
      const tasks = (await response.json()) as Task[];
      const total = Number.parseInt(response.headers.get("X-Total-Count") ?? "", 10);
      return { tasks, total: Number.isNaN(total) ? (filters.offset ?? 0) + tasks.length : total };
    },

    /** Counts by status and priority, overdue, due today and completions per day, in the user's time zone. */
    getStats(userId: string, timeZone: string) {
      return request<TaskStats>(`${tasksPath(userId)}/stats${toQuery({ tz: timeZone })}`);
    },

    createTask(userId: string, data: CreateTaskInput) {
      return request<Task>(tasksPath(userId), { method: "POST", body: JSON.stringify(data) });
    },

    /** A partial update (PUT is partial on this API); setting `completed` is how a toggle is sent, idempotently. */
    updateTask(userId: string, taskId: number, data: UpdateTaskInput) {
      return request<Task>(taskPath(userId, taskId), { method: "PUT", body: JSON.stringify(data) });
    },

    deleteTask(userId: string, taskId: number, init?: Pick<RequestInit, "keepalive">) {
      return request<{ id: number; deleted: true }>(taskPath(userId, taskId), { method: "DELETE", ...init });
    },

    /** Revoke every session and access token of the signed-in user (CONTRACT.md `POST /api/auth/logout-all`). */
    logoutAll() {
      return request<unknown>("/api/auth/logout-all", { method: "POST" });
    },
  };
}

/** Fetch an access token for the tasks API with the session cookie (`GET /api/auth/token`). */
async function fetchAccessToken(): Promise<string> {
  const { data, error } = await authClient.$fetch<{ token: string }>("/token", { method: "GET" }).catch(() => {
    throw new ApiError(NETWORK_ERROR, 0, "network_error");
  });
  if (error || !data?.token) {
    // The session is gone (signed out elsewhere, expired): have useSession check, so the app shell says so.
    if (error?.status === 401) authClient.$store.notify("$sessionSignal");
    throw new ApiError("Your session has ended. Please sign in again.", error?.status ?? 401, SESSION_ENDED);
  }
  return data.token;
}

export const accessToken = createAccessTokenSource(fetchAccessToken);

export const api = createApiClient({ baseUrl: API_URL, accessToken });

/** The sentence to show for a failed call: the server's `detail` for an `ApiError`. */
export function errorMessage(error: unknown): string {
  return error instanceof Error && error.message ? error.message : "Something went wrong. Please try again.";
}
