import type { CreateTaskInput, Task } from "@/lib/api";
import type { TaskValues } from "@/lib/forms/schemas";
import { dueDateToInput, inputToDueDate } from "@/lib/tasks";

/** The form's values for a task (or a blank one due on `dueDate`). */
export function taskToValues(task?: Task, dueDate = ""): TaskValues {
  return {
    title: task?.title ?? "",
    description: task?.description ?? "",
    priority: task?.priority ?? "medium",
    dueDate: task ? dueDateToInput(task.due_date) : dueDate,
  };
}

/** What the API takes for the form's values: blank description and date become null. */
export function valuesToInput(values: TaskValues): Required<CreateTaskInput> {
  return {
    title: values.title,
    description: values.description || null,
    priority: values.priority,
    due_date: inputToDueDate(values.dueDate),
  };
}

/** The form fields a tasks API 422 can name (`loc`'s last part), for `apiProblem`. */
export const TASK_FIELDS = {
  title: "title",
  description: "description",
  priority: "priority",
  due_date: "dueDate",
} as const;
