import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { toast } from "sonner";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { useTaskMutations } from "@/components/tasks/use-task-mutations";
import { api, ApiError, type Task, type TaskFilters, type TaskPage } from "@/lib/api";
import { taskKeys } from "@/lib/task-cache";
import { makeTask } from "@/test/fixtures";

vi.mock("@/lib/auth-client", () => ({ authClient: {} }));
vi.mock("@/lib/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/api")>()),
  api: { createTask: vi.fn(), updateTask: vi.fn(), deleteTask: vi.fn() },
}));
vi.mock("sonner", () => ({ toast: Object.assign(vi.fn(), { error: vi.fn() }) }));

const mocked = vi.mocked(api);
const USER = "user-1";
const ALL: TaskFilters = { sort: "created_at", order: "desc", limit: 25, offset: 0 };
const HIGH: TaskFilters = { ...ALL, priority: "high" };

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function setup(tasks: Task[]) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  client.setQueryData<TaskPage>(taskKeys.list(USER, ALL), { tasks, total: tasks.length });
  client.setQueryData<TaskPage>(taskKeys.list(USER, HIGH), { tasks: tasks.filter((t) => t.priority === "high"), total: 0 });
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  const { result } = renderHook(() => useTaskMutations(USER), { wrapper });
  const list = (filters = ALL) => client.getQueryData<TaskPage>(taskKeys.list(USER, filters))!.tasks;
  return { result, list };
}

describe("useTaskMutations", () => {
  beforeEach(() => vi.clearAllMocks());

  it("ticks a task at once with one idempotent PUT, then keeps the server's copy", async () => {
    const task = makeTask({ id: 1, completed: false });
    const answer = deferred<Task>();
    mocked.updateTask.mockReturnValue(answer.promise);
    const { result, list } = setup([task]);

    act(() => result.current.toggle(task));

    await waitFor(() => expect(list()[0].completed).toBe(true));
    expect(mocked.updateTask).toHaveBeenCalledExactlyOnceWith(USER, 1, { completed: true });
    const saved = { ...task, completed: true, completed_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z" };
    await act(async () => answer.resolve(saved));
    await waitFor(() => expect(list()[0]).toEqual(saved));
  });

  it("puts a refused toggle back and says why in a toast", async () => {
    const task = makeTask({ id: 1, title: "Call mum", completed: false });
    mocked.updateTask.mockRejectedValue(new ApiError("Task not found", 404, "task_not_found"));
    const { result, list } = setup([task]);

    act(() => result.current.toggle(task));

    await waitFor(() => expect(toast.error).toHaveBeenCalledWith("“Call mum” was not updated", expect.objectContaining({ description: "Task not found" })));
    expect(list()[0]).toEqual(task);
  });

  it("shows a new task first in the lists it belongs to, and takes it back out if refused", async () => {
    const answer = deferred<Task>();
    mocked.createTask.mockReturnValue(answer.promise);
    const { result, list } = setup([makeTask({ id: 1 })]);

    let created!: Promise<Task>;
    act(() => {
      created = result.current.create({ title: "New", priority: "low", description: null, due_date: null });
    });

    await waitFor(() => expect(list()[0]).toMatchObject({ title: "New", priority: "low" }));
    expect(list()[0].id).toBeLessThan(0);
    expect(list(HIGH)).toHaveLength(0);
    answer.reject(new ApiError("Title is too long", 422));
    await expect(created).rejects.toThrow("Title is too long");
    expect(list().map((t) => t.id)).toEqual([1]);
  });

  it("deletes only when the undo window closes; Undo puts the task back where it was", async () => {
    const tasks = [makeTask({ id: 1 }), makeTask({ id: 2 }), makeTask({ id: 3 })];
    const { result, list } = setup(tasks);
    const onUndo = vi.fn();

    act(() => result.current.remove(tasks[1], onUndo));
    expect(list().map((t) => t.id)).toEqual([1, 3]);
    const [, options] = vi.mocked(toast).mock.calls[0] as unknown as [string, { action: { onClick(): void }; onAutoClose(): void }];
    act(() => options.action.onClick());
    expect(list().map((t) => t.id)).toEqual([1, 2, 3]);
    expect(onUndo).toHaveBeenCalledWith(tasks[1]);
    options.onAutoClose();
    expect(mocked.deleteTask).not.toHaveBeenCalled();
  });

  it("sends the DELETE when the undo window closes, and restores the task if it is refused", async () => {
    const tasks = [makeTask({ id: 1 }), makeTask({ id: 2, title: "Keep me" })];
    mocked.deleteTask.mockRejectedValue(new ApiError("The task store is unavailable right now", 503));
    const { result, list } = setup(tasks);

    act(() => result.current.remove(tasks[1]));
    const [, options] = vi.mocked(toast).mock.calls[0] as unknown as [string, { onAutoClose(): void; onDismiss(): void }];
    act(() => {
      options.onAutoClose();
      options.onDismiss();
    });

    expect(mocked.deleteTask).toHaveBeenCalledExactlyOnceWith(USER, 2, { keepalive: true });
    await waitFor(() => expect(list().map((t) => t.id)).toEqual([1, 2]));
    expect(toast.error).toHaveBeenCalledWith("“Keep me” was not deleted", expect.anything());
  });

  it("lets a late answer to an older click not undo a newer one", async () => {
    const task = makeTask({ id: 1, completed: false });
    const first = deferred<Task>();
    mocked.updateTask.mockReturnValueOnce(first.promise).mockResolvedValueOnce({ ...task, completed: false });
    const { result, list } = setup([task]);

    act(() => result.current.toggle(task));
    await waitFor(() => expect(list()[0].completed).toBe(true));
    act(() => result.current.toggle(list()[0]));
    await waitFor(() => expect(mocked.updateTask).toHaveBeenCalledTimes(2));
    await act(async () => first.resolve({ ...task, completed: true }));

    expect(list()[0].completed).toBe(false);
  });
});
