import { describe, expect, it } from "vitest";

import { applyChanges, prependTask, removeTask, replaceTask, restoreTask } from "@/lib/task-cache";
import { makeTask } from "@/test/fixtures";

const page = (...ids: number[]) => ({ tasks: ids.map((id) => makeTask({ id, title: `t${id}` })), total: ids.length + 10 });

describe("the cached lists, changed before the server answers", () => {
  it("replace a task by its id, or a placeholder by the placeholder's", () => {
    const saved = makeTask({ id: 7, title: "saved" });
    expect(replaceTask(page(1, -1), saved, -1).tasks.map((t) => t.id)).toEqual([1, 7]);
    const untouched = page(1);
    expect(replaceTask(untouched, saved)).toBe(untouched);
  });

  it("put a new task first on the first page of the lists it matches", () => {
    const task = makeTask({ id: -1, priority: "high" });
    expect(prependTask(page(1), task, {}).tasks[0]).toBe(task);
    expect(prependTask(page(1), task, {}).total).toBe(12);
    expect(prependTask(page(1), task, { priority: "low" }).tasks).toHaveLength(1);
    expect(prependTask(page(1), task, { offset: 25 }).tasks).toHaveLength(1);
  });

  it("take a task out and put it back where it was", () => {
    const before = page(1, 2, 3);
    const { page: after, index } = removeTask(before, 2);
    expect(after.tasks.map((t) => t.id)).toEqual([1, 3]);
    expect(after.total).toBe(12);
    expect(index).toBe(1);
    expect(restoreTask(after, before.tasks[1], index)).toEqual(before);
    expect(removeTask(before, 99)).toEqual({ page: before, index: -1 });
  });

  it("set completed_at as the server would: now when done, kept when done again, cleared when undone", () => {
    const now = new Date("2026-12-01T10:00:00Z");
    const open = makeTask({ completed: false, completed_at: null });
    expect(applyChanges(open, { completed: true }, now)).toMatchObject({ completed: true, completed_at: now.toISOString() });
    const done = makeTask({ completed: true, completed_at: "2026-11-30T09:00:00Z" });
    expect(applyChanges(done, { completed: true, title: "x" }, now)).toMatchObject({ completed_at: "2026-11-30T09:00:00Z", title: "x" });
    expect(applyChanges(done, { completed: false }, now)).toMatchObject({ completed: false, completed_at: null });
    expect(applyChanges(done, { due_date: null })).toMatchObject({ due_date: null, completed_at: "2026-11-30T09:00:00Z" });
  });
});
