import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { TaskForm } from "@/components/tasks/task-form";
import { ApiError } from "@/lib/api";
import { makeTask } from "@/test/fixtures";

describe("TaskForm", () => {
  it("creates a task with priority and due date, then clears itself", async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const user = userEvent.setup();
    render(<TaskForm submitLabel="Add task" onSubmit={onSubmit} />);

    await user.type(screen.getByLabelText("Title"), "  Book the venue ");
    await user.selectOptions(screen.getByLabelText("Priority"), "high");
    await user.type(screen.getByLabelText("Due date"), "2026-12-01");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    expect(onSubmit).toHaveBeenCalledWith({
      title: "Book the venue",
      description: null,
      priority: "high",
      due_date: "2026-12-01T00:00:00Z",
    });
    expect(screen.getByLabelText("Title")).toHaveValue("");
    expect(screen.getByLabelText("Priority")).toHaveValue("medium");
  });

  it("edits a task: starts from its values and can clear the due date", async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const task = makeTask({ title: "Old", description: "Notes", priority: "low", due_date: "2026-12-24T00:00:00+00:00" });
    const user = userEvent.setup();
    render(<TaskForm task={task} submitLabel="Save changes" onSubmit={onSubmit} onCancel={vi.fn()} />);

    expect(screen.getByLabelText("Due date")).toHaveValue("2026-12-24");
    await user.clear(screen.getByLabelText("Due date"));
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    expect(onSubmit).toHaveBeenCalledWith({ title: "Old", description: "Notes", priority: "low", due_date: null });
  });

  it("shows the API's detail and keeps what was typed", async () => {
    const onSubmit = vi.fn().mockRejectedValue(new ApiError("Title is too long", 422, "validation_error"));
    const user = userEvent.setup();
    render(<TaskForm submitLabel="Add task" onSubmit={onSubmit} />);

    await user.type(screen.getByLabelText("Title"), "Something");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Title is too long");
    expect(screen.getByLabelText("Title")).toHaveValue("Something");
  });
});
