import { CalendarDays } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { Task } from "@/lib/api";
import { formatDueDate, isOverdue, PRIORITY_LABELS } from "@/lib/tasks";
import { cn } from "@/lib/utils";

const PRIORITY_VARIANT = { high: "destructive", medium: "warning", low: "secondary" } as const;

export function TaskBadges({ task, className }: { task: Task; className?: string }) {
  const overdue = isOverdue(task);
  const due = formatDueDate(task.due_date);
  return (
    <div className={cn("flex flex-wrap items-center gap-2", className)}>
      <Badge variant={PRIORITY_VARIANT[task.priority]}>{PRIORITY_LABELS[task.priority]} priority</Badge>
      {due && (
        <Badge variant={overdue ? "destructive" : "outline"}>
          <CalendarDays aria-hidden />
          {overdue ? `Overdue · ${due}` : `Due ${due}`}
        </Badge>
      )}
      {task.completed && <Badge variant="success">Done</Badge>}
    </div>
  );
}
