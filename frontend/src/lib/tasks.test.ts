import { describe, expect, it } from "vitest";

import { dueDateToInput, formatDueDate, inputToDueDate, isOverdue, summarizeTasks, todayKey } from "@/lib/tasks";
import { makeTask } from "@/test/fixtures";

describe("due dates", () => {
  it("round-trip between the date input and the API", () => {
    expect(inputToDueDate("2026-12-01")).toBe("2026-12-01T00:00:00Z");
    expect(inputToDueDate("")).toBeNull();
    expect(dueDateToInput("2026-12-01T00:00:00+00:00")).toBe("2026-12-01");
    expect(dueDateToInput("2026-12-01")).toBe("2026-12-01");
    expect(dueDateToInput(null)).toBe("");
  });

  it("format as a calendar day", () => {
    expect(formatDueDate("2026-12-01T00:00:00Z")).toBe("Dec 1, 2026");
    expect(formatDueDate(null)).toBe("");
  });

  it("today's key is the local date", () => {
    expect(todayKey(new Date(2026, 0, 5, 23, 30))).toBe("2026-01-05");
  });
});

describe("isOverdue", () => {
  const today = "2026-11-25";

  it("is true only for open tasks due before today", () => {
    expect(isOverdue(makeTask({ due_date: "2026-11-24T00:00:00Z" }), today)).toBe(true);
    expect(isOverdue(makeTask({ due_date: "2026-11-25T00:00:00Z" }), today)).toBe(false);
    expect(isOverdue(makeTask({ due_date: "2026-11-24T00:00:00Z", completed: true }), today)).toBe(false);
    expect(isOverdue(makeTask({ due_date: null }), today)).toBe(false);
  });
});

describe("summarizeTasks", () => {
  it("counts total, done, open, overdue and each priority", () => {
    const stats = summarizeTasks(
      [
        makeTask({ priority: "high", due_date: "2026-11-01T00:00:00Z" }),
        makeTask({ priority: "high", completed: true }),
        makeTask({ priority: "low" }),
      ],
      "2026-11-25",
    );

    expect(stats).toEqual({
      total: 3,
      done: 1,
      open: 2,
      overdue: 1,
      byPriority: { high: { total: 2, open: 1 }, medium: { total: 0, open: 0 }, low: { total: 1, open: 1 } },
    });
  });
});
