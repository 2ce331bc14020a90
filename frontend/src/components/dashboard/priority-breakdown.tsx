import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PRIORITIES, PRIORITY_LABELS, type TaskStats } from "@/lib/tasks";

const BAR_COLOR = { high: "bg-destructive", medium: "bg-warning", low: "bg-muted-foreground/60" } as const;

export function PriorityBreakdown({ stats }: { stats: TaskStats }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>By priority</h2>
        </CardTitle>
        <CardDescription>All tasks per priority, and how many are still open.</CardDescription>
      </CardHeader>
      <CardContent>
        <dl className="flex flex-col gap-4">
          {PRIORITIES.map((priority) => {
            const { total, open } = stats.byPriority[priority];
            const share = stats.total ? Math.round((total / stats.total) * 100) : 0;
            return (
              <div key={priority} className="grid gap-1.5">
                <div className="flex items-baseline justify-between gap-2 text-sm">
                  <dt className="font-medium">{PRIORITY_LABELS[priority]}</dt>
                  <dd className="text-muted-foreground tabular-nums">
                    <span className="font-medium text-foreground">{total}</span> total · {open} open
                  </dd>
                </div>
                <div className="h-2 overflow-hidden rounded-full bg-muted" aria-hidden>
                  <div className={`h-full rounded-full ${BAR_COLOR[priority]}`} style={{ width: `${share}%` }} />
                </div>
              </div>
            );
          })}
        </dl>
      </CardContent>
    </Card>
  );
}
