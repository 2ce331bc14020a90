"use client";

import { useId, useState, type FormEvent } from "react";

import { FormError } from "@/components/auth/form-error";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { errorMessage, type CreateTaskInput, type Priority, type Task } from "@/lib/api";
import { dueDateToInput, inputToDueDate, PRIORITIES, PRIORITY_LABELS } from "@/lib/tasks";
import { cn } from "@/lib/utils";

interface TaskFormProps {
  /** The task being edited; a blank form creates a new one. */
  task?: Task;
  submitLabel: string;
  onSubmit(values: Required<CreateTaskInput>): Promise<void>;
  onCancel?(): void;
  className?: string;
}

/** Title, description, priority and due date: the create form and the inline edit form. */
export function TaskForm({ task, submitLabel, onSubmit, onCancel, className }: TaskFormProps) {
  const id = useId();
  const [title, setTitle] = useState(task?.title ?? "");
  const [description, setDescription] = useState(task?.description ?? "");
  const [priority, setPriority] = useState<Priority>(task?.priority ?? "medium");
  const [dueDate, setDueDate] = useState(dueDateToInput(task?.due_date ?? null));
  const [error, setError] = useState<string | null>(null);
  const [isSending, setIsSending] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!title.trim()) {
      setError("Give the task a title.");
      return;
    }
    setError(null);
    setIsSending(true);
    try {
      await onSubmit({
        title: title.trim(),
        description: description.trim() || null,
        priority,
        due_date: inputToDueDate(dueDate),
      });
      if (!task) {
        setTitle("");
        setDescription("");
        setPriority("medium");
        setDueDate("");
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setIsSending(false);
    }
  }

  return (
    <form onSubmit={handleSubmit} className={cn("flex flex-col gap-4", className)} aria-label={submitLabel}>
      <FormError message={error} />
      <div className="grid gap-2">
        <Label htmlFor={`${id}-title`}>Title</Label>
        <Input
          id={`${id}-title`}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          placeholder="What needs doing?"
          maxLength={200}
          autoFocus={task !== undefined}
          required
          disabled={isSending}
        />
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-description`}>
          Description <span className="font-normal text-muted-foreground">(optional)</span>
        </Label>
        <Textarea
          id={`${id}-description`}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          rows={2}
          maxLength={10000}
          disabled={isSending}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
        <div className="grid gap-2">
          <Label htmlFor={`${id}-priority`}>Priority</Label>
          <Select
            id={`${id}-priority`}
            value={priority}
            onChange={(e) => setPriority(e.target.value as Priority)}
            disabled={isSending}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABELS[p]}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-2">
          <Label htmlFor={`${id}-due`}>Due date</Label>
          <Input
            id={`${id}-due`}
            type="date"
            value={dueDate}
            onChange={(e) => setDueDate(e.target.value)}
            disabled={isSending}
          />
        </div>
        <div className="flex gap-2">
          {onCancel && (
            <Button type="button" variant="outline" onClick={onCancel} disabled={isSending}>
              Cancel
            </Button>
          )}
          <Button type="submit" disabled={isSending} className="flex-1 sm:flex-none">
            {isSending ? "Saving…" : submitLabel}
          </Button>
        </div>
      </div>
    </form>
  );
}
