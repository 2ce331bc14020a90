import { describe, expect, it } from "vitest";

import { describeCount, isFiltered, matchesFilters, parseQuery, tasksHref, toFilters, toSearchParams, type TaskQuery } from "@/lib/task-query";
import { makeTask } from "@/test/fixtures";

const parse = (query: string) => parseQuery(new URLSearchParams(query));

describe("the tasks page's URL state", () => {
  it("reads nothing as the All view, newest first, page 1", () => {
    expect(parse("")).toEqual({ view: "all", status: "all", priority: "all", q: "", sort: "created_at:desc", page: 0 });
  });

  it("round-trips every field, leaving defaults out of the URL", () => {
    const query: TaskQuery = { view: "upcoming", status: "done", priority: "high", q: "report", sort: "title:asc", page: 2 };
    const params = toSearchParams(query);
    expect(params.toString()).toBe("view=upcoming&status=done&priority=high&q=report&sort=title%3Aasc&page=3");
    expect(parseQuery(params)).toEqual(query);
    expect(toSearchParams(parse("view=upcoming&sort=due_date:asc")).toString()).toBe("view=upcoming");
  });

  it("falls back to defaults for anything unknown, so a mangled link still opens", () => {
    expect(parse("view=someday&status=maybe&priority=urgent&sort=colour:asc&page=-4")).toEqual(parse(""));
    expect(parse("page=abc").page).toBe(0);
    expect(parse(`q=${"x".repeat(500)}`).q).toHaveLength(200);
  });

  it("shows only open tasks in the Overdue view, whatever the URL says", () => {
    expect(parse("view=overdue&status=done").status).toBe("open");
    expect(toSearchParams(parse("view=overdue")).toString()).toBe("view=overdue");
  });

  it("builds links for the dashboard's cards", () => {
    expect(tasksHref()).toBe("/tasks");
    expect(tasksHref({ view: "overdue" })).toBe("/tasks?view=overdue");
    expect(tasksHref({ priority: "high", status: "open" })).toBe("/tasks?status=open&priority=high");
  });
});

describe("toFilters", () => {
  const today = "2026-12-31";
  const query = (change: Partial<TaskQuery>) => toFilters({ ...parse(""), ...change }, today);

  it("turns each view into a window of calendar days around today", () => {
    expect(query({ view: "today" })).toMatchObject({ due_from: "2026-12-31", due_before: "2027-01-01" });
    expect(query({ view: "upcoming" })).toMatchObject({ due_from: "2027-01-01" });
    expect(query({ view: "overdue", status: "open" })).toMatchObject({ due_before: "2026-12-31", completed: false });
    expect(query({ view: "all" })).not.toHaveProperty("due_from");
  });

  it("passes status, priority, search, sort and page", () => {
    expect(query({ status: "done", priority: "low", q: "  milk ", sort: "priority:desc", page: 1 })).toEqual({
      completed: true,
      priority: "low",
      q: "milk",
      sort: "priority",
      order: "desc",
      limit: 25,
      offset: 25,
    });
  });
});

describe("matchesFilters", () => {
  const task = makeTask({ title: "Buy MILK", priority: "high", due_date: "2026-12-31T00:00:00Z" });

  it("places a new task only in the lists it belongs to", () => {
    expect(matchesFilters(task, {})).toBe(true);
    expect(matchesFilters(task, { q: "milk", priority: "high", completed: false })).toBe(true);
    expect(matchesFilters(task, { completed: true })).toBe(false);
    expect(matchesFilters(task, { priority: "low" })).toBe(false);
    expect(matchesFilters(task, { q: "bread" })).toBe(false);
    expect(matchesFilters(task, { due_from: "2026-12-31", due_before: "2027-01-01" })).toBe(true);
    expect(matchesFilters(task, { due_before: "2026-12-31" })).toBe(false);
    expect(matchesFilters(makeTask({ due_date: null }), { due_from: "2026-12-31" })).toBe(false);
  });
});

describe("counts and filters", () => {
  it("say how many tasks there are, or match", () => {
    expect(describeCount(1, false)).toBe("1 task");
    expect(describeCount(3, true)).toBe("3 tasks match");
    expect(isFiltered(parse("view=overdue"))).toBe(false);
    expect(isFiltered(parse("q=x"))).toBe(true);
  });
});
