import { createAccessTokenSource, type AccessTokenSource } from "@/lib/access-token";
import { authClient } from "@/lib/auth-client";
import { API_URL } from "@/lib/config";

export type Priority = "low" | "medium" | "high";

export interface Task {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  priority: Priority;
  /** ISO 8601; the front end treats it as a calendar day (see `lib/tasks.ts`). */
  due_date: string | null;
  created_at: string;
  updated_at: string;
}

export type TaskSort = "created_at" | "due_date" | "priority" | "title";

export interface TaskFilters {
  completed?: boolean;
  priority?: Priority;
  /** Searches title and description. */
  q?: string;
  sort?: TaskSort;
  order?: "asc" | "desc";
  /** 1–100, the server's default is 50. */
  limit?: number;
  offset?: number;
}

export interface CreateTaskInput {
  title: string;
  description?: string | null;
  priority?: Priority;
  due_date?: string | null;
}

export type UpdateTaskInput = Partial<CreateTaskInput & { completed: boolean }>;

export interface TaskPage {
  tasks: Task[];
  /** All tasks matching the filters (`X-Total-Count`), not just this page. */
  total: number;
}

/** The largest page the tasks API serves. */
const MAX_PAGE_SIZE = 100;

/** An API failure; `message` is the server's `detail`, ready to show to the user. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const NETWORK_ERROR = "Could not reach the server. Check your connection and try again.";

async function toApiError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  const text = (key: string) => (typeof body?.[key] === "string" ? (body[key] as string) : undefined);
  const message = text("detail") ?? text("message") ?? `Request failed (HTTP ${response.status}).`;
  return new ApiError(message, response.status, text("code"), text("request_id"));
}

function toQuery(filters: TaskFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `?${query}` : "";
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

  async function getTasks(userId: string, filters: TaskFilters = {}): Promise<TaskPage> {
    const response = await send(`${tasksPath(userId)}${toQuery(filters)}`);
    const tasks = (await response.json()) as Task[];
    const total = Number.parseInt(response.headers.get("X-Total-Count") ?? "", 10);
    return { tasks, total: Number.isNaN(total) ? (filters.offset ?? 0) + tasks.length : total };
  }

  return {
    getTasks,

    /** Every task matching the filters, paging through the list `MAX_PAGE_SIZE` at a time. */
    async getAllTasks(userId: string, filters: Omit<TaskFilters, "limit" | "offset"> = {}): Promise<Task[]> {
      const all: Task[] = [];
      for (;;) {
        const { tasks, total } = await getTasks(userId, { ...filters, limit: MAX_PAGE_SIZE, offset: all.length });
        all.push(...tasks);
        if (tasks.length === 0 || all.length >= total) return all;
      }
    },

    createTask(userId: string, data: CreateTaskInput) {
      return request<Task>(tasksPath(userId), { method: "POST", body: JSON.stringify(data) });
    },

    updateTask(userId: string, taskId: number, data: UpdateTaskInput) {
      return request<Task>(taskPath(userId, taskId), { method: "PUT", body: JSON.stringify(data) });
    },

    toggleTaskComplete(userId: string, taskId: number) {
      return request<Task>(`${taskPath(userId, taskId)}/complete`, { method: "PATCH" });
    },

    deleteTask(userId: string, taskId: number) {
      return request<{ id: number; deleted: true }>(taskPath(userId, taskId), { method: "DELETE" });
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
    // The session is gone (signed out elsewhere, expired): have useSession check, so the app shell sends the user to /login.
    if (error?.status === 401) authClient.$store.notify("$sessionSignal");
    throw new ApiError("Your session has ended. Please sign in again.", error?.status ?? 401, "session_expired");
  }
  return data.token;
}

export const accessToken = createAccessTokenSource(fetchAccessToken);

export const api = createApiClient({ baseUrl: API_URL, accessToken });

/** The sentence to show for a failed call: the server's `detail` for an `ApiError`. */
export function errorMessage(error: unknown): string {
  return error instanceof Error && error.message ? error.message : "Something went wrong. Please try again.";
}
