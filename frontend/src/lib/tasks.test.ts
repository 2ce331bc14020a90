import { describe, expect, it } from "vitest";

import { addDays, daysBetween, dueDateToInput, dueLabel, formatDueDate, inputToDueDate, isOverdue, todayKey } from "@/lib/tasks";
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

  it("count calendar days across months, years and DST changes", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-03-28", 2)).toBe("2026-03-30");
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(daysBetween("2026-12-01", "2026-11-28")).toBe(-3);
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

describe("dueLabel", () => {
  const today = "2026-12-01"; // a Tuesday
  const label = (day: string | null, completed = false) =>
    dueLabel(makeTask({ due_date: day && `${day}T00:00:00Z`, completed }), today);

  it("reads today and tomorrow as words", () => {
    expect(label("2026-12-01")).toEqual({ text: "Today", date: "Dec 1, 2026", tone: "today" });
    expect(label("2026-12-02")).toMatchObject({ text: "Tomorrow", tone: "soon" });
  });

  it("names the weekday within a week, then the date, with the year only when it differs", () => {
    expect(label("2026-12-04")?.text).toBe("Friday");
    expect(label("2026-12-08")?.text).toBe("Dec 8");
    expect(label("2027-01-15")?.text).toBe("Jan 15, 2027");
  });

  it("counts the days an open task is late", () => {
    expect(label("2026-11-30")).toMatchObject({ text: "Overdue 1 day", tone: "overdue" });
    expect(label("2026-11-28")).toMatchObject({ text: "Overdue 3 days", tone: "overdue" });
  });

  it("does not call a done task overdue", () => {
    expect(label("2026-11-30", true)).toMatchObject({ text: "Yesterday", tone: "later" });
    expect(label("2026-11-20", true)?.text).toBe("Nov 20");
  });

  it("is null without a due date", () => {
    expect(label(null)).toBeNull();
  });
});
