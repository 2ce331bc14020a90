"use client";

import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { toast } from "sonner";

import { api, ApiError, errorMessage, SESSION_ENDED, type CreateTaskInput, type Task, type TaskFilters, type TaskPage, type UpdateTaskInput } from "@/lib/api";
import { shouldRetry } from "@/lib/query-client";
import { applyChanges, prependTask, removeTask, replaceTask, restoreTask, taskKeys } from "@/lib/task-cache";

/** How long "Undo" is offered after a delete; the DELETE is sent when it closes. */
export const UNDO_MS = 5000;

/** Deletes waiting for their undo window to close, sent at once if the page goes away. */
const waitingDeletes = new Set<() => void>();

function flushWaitingDeletes() {
  for (const send of [...waitingDeletes]) send();
}

/** Tell the user a change did not stick; a session that ended is explained by the app shell instead. */
function reportFailure(error: unknown, title: string, retry?: () => void) {
  if (error instanceof ApiError && error.code === SESSION_ENDED) return;
  toast.error(title, {
    description: errorMessage(error),
    action: retry ? { label: "Try again", onClick: retry } : undefined,
  });
}

let placeholderIds = 0;

/** A stand-in for a task the server has not confirmed yet; its negative id marks it as pending. */
export function placeholderTask(userId: string, input: CreateTaskInput, now: Date = new Date()): Task {
  placeholderIds -= 1;
  const at = now.toISOString();
  return {
    id: placeholderIds,
    user_id: userId,
    title: input.title,
    description: input.description ?? null,
    priority: input.priority ?? "medium",
    due_date: input.due_date ?? null,
    completed: false,
    completed_at: null,
    created_at: at,
    updated_at: at,
  };
}

export const isPending = (task: Task) => task.id < 0;

/**
 * Every change to tasks, applied to the cached lists at once and sent in the background: a failure puts
 * the task back as it was and says so in a toast. Toggles and edits send one idempotent PUT each (safe to
 * retry on a lost connection); the lists are then marked stale, not refetched, so a toggle is one request.
 */
export function useTaskMutations(userId: string) {
  const queryClient = useQueryClient();
  const lists = taskKeys.lists(userId);
  // The latest change asked for, per task: an older answer arriving late must not undo a newer click.
  const latest = useRef(new Map<number, number>());

  useEffect(() => {
    window.addEventListener("pagehide", flushWaitingDeletes);
    return () => window.removeEventListener("pagehide", flushWaitingDeletes);
  }, []);

  function eachList(change: (page: TaskPage, filters: TaskFilters) => TaskPage) {
    for (const [key, page] of queryClient.getQueriesData<TaskPage>({ queryKey: lists })) {
      if (page) queryClient.setQueryData(key, change(page, key[3] as TaskFilters));
    }
  }

  function begin(taskId: number): number {
    const version = (latest.current.get(taskId) ?? 0) + 1;
    latest.current.set(taskId, version);
    return version;
  }
  const isLatest = (taskId: number, version: number) => latest.current.get(taskId) === version;

  const markStale = () => queryClient.invalidateQueries({ queryKey: taskKeys.all(userId), refetchType: "none" });

  const create = useMutation({
    mutationFn: ({ input }: { input: CreateTaskInput; placeholder: Task }) => api.createTask(userId, input),
    onMutate: async ({ placeholder }) => {
      await queryClient.cancelQueries({ queryKey: lists });
      eachList((page, filters) => prependTask(page, placeholder, filters));
    },
    onSuccess: (saved, { placeholder }) => eachList((page) => replaceTask(page, saved, placeholder.id)),
    onError: (_error, { placeholder }) => eachList((page) => removeTask(page, placeholder.id).page),
    onSettled: markStale,
  });

  const update = useMutation({
    mutationFn: ({ task, changes }: { task: Task; changes: UpdateTaskInput; version: number }) =>
      api.updateTask(userId, task.id, changes),
    retry: shouldRetry,
    onMutate: async ({ task, changes }) => {
      await queryClient.cancelQueries({ queryKey: lists });
      eachList((page) => replaceTask(page, applyChanges(task, changes)));
    },
    onSuccess: (saved, { version }) => {
      if (isLatest(saved.id, version)) eachList((page) => replaceTask(page, saved));
    },
    onError: (_error, { task, version }) => {
      if (isLatest(task.id, version)) eachList((page) => replaceTask(page, task));
    },
    onSettled: markStale,
  });

  /** Tick or untick: one `PUT {completed}`; on failure the box flips back and a toast says why. */
  function toggle(task: Task) {
    update.mutate(
      { task, changes: { completed: !task.completed }, version: begin(task.id) },
      { onError: (error) => reportFailure(error, `“${task.title}” was not updated`, () => toggle(task)) },
    );
  }

  return {
    toggle,

    /** Add a task now; resolves with the saved task, rejects (after putting things back) if the server refuses. */
    create(input: CreateTaskInput): Promise<Task> {
      return create.mutateAsync({ input, placeholder: placeholderTask(userId, input) });
    },

    /** Save an edit now; rejects (after putting the task back) if the server refuses, for the form to show. */
    edit(task: Task, changes: UpdateTaskInput): Promise<Task> {
      return update.mutateAsync({ task, changes, version: begin(task.id) });
    },

    /**
     * Take the task off every list and offer "Undo" for `UNDO_MS`; the DELETE goes when that closes (or the
     * page is left). `onUndo` runs after the task is back.
     */
    remove(task: Task, onUndo?: (task: Task) => void) {
      const places: [QueryKey, number][] = [];
      for (const [key, page] of queryClient.getQueriesData<TaskPage>({ queryKey: lists })) {
        if (!page) continue;
        const removed = removeTask(page, task.id);
        if (removed.index < 0) continue;
        places.push([key, removed.index]);
        queryClient.setQueryData(key, removed.page);
      }
      const putBack = () => {
        for (const [key, index] of places) {
          const page = queryClient.getQueryData<TaskPage>(key);
          if (page) queryClient.setQueryData(key, restoreTask(page, task, index));
        }
      };
      let settled = false;
      const send = () => {
        if (settled) return;
        settled = true;
        waitingDeletes.delete(send);
        api.deleteTask(userId, task.id, { keepalive: true }).then(markStale, (error: unknown) => {
          // Already gone (deleted elsewhere) is what was asked for.
          if (error instanceof ApiError && error.status === 404) return markStale();
          putBack();
          reportFailure(error, `“${task.title}” was not deleted`);
        });
      };
      const undo = () => {
        if (settled) return;
        settled = true;
        waitingDeletes.delete(send);
        putBack();
        onUndo?.(task);
      };
      waitingDeletes.add(send);
      toast(`Deleted “${task.title}”`, {
        duration: UNDO_MS,
        action: { label: "Undo", onClick: undo },
        onAutoClose: send,
        onDismiss: send,
      });
    },
  };
}

export type TaskMutations = ReturnType<typeof useTaskMutations>;
