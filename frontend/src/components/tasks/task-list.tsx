import { TaskItem, type TaskActions } from "@/components/tasks/task-item";
import { StatusMessage } from "@/components/layout/status-message";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import type { TaskPage } from "@/lib/api";

interface TaskListProps {
  page: TaskPage | null;
  error: string | null;
  isLoading: boolean;
  isFiltered: boolean;
  onRetry(): void;
  onClearFilters(): void;
  actions: TaskActions;
}

/** The list with its loading, error and empty states. */
export function TaskList({ page, error, isLoading, isFiltered, onRetry, onClearFilters, actions }: TaskListProps) {
  if (error) {
    return (
      <StatusMessage title="Your tasks could not be loaded" text={error}>
        <Button variant="outline" onClick={onRetry}>
          Try again
        </Button>
      </StatusMessage>
    );
  }
  if (!page) {
    return (
      <div className="flex flex-col gap-3" aria-busy="true" aria-label="Loading tasks">
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} className="h-24 w-full rounded-xl" />
        ))}
      </div>
    );
  }
  if (page.tasks.length === 0) {
    return isFiltered ? (
      <StatusMessage title="No matching tasks" text="Try another search, or show all your tasks.">
        <Button variant="outline" onClick={onClearFilters}>
          Clear filters
        </Button>
      </StatusMessage>
    ) : (
      <StatusMessage title="No tasks yet" text="Add your first task above. It will show up here." />
    );
  }
  return (
    <ul className="flex flex-col gap-3" aria-label="Tasks" aria-busy={isLoading}>
      {page.tasks.map((task) => (
        <TaskItem key={task.id} task={task} actions={actions} />
      ))}
    </ul>
  );
}
