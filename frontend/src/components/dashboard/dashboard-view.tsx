"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { lazy, Suspense } from "react";
import { AlarmClock, CalendarCheck, CircleCheckBig, Circle, ListTodo } from "lucide-react";

import { StatCard } from "@/components/dashboard/stat-card";
import { StatusMessage } from "@/components/layout/status-message";
import { useAuth } from "@/components/providers/auth-provider";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { api, errorMessage, type TaskStats } from "@/lib/api";
import { taskKeys } from "@/lib/task-cache";
import { tasksHref } from "@/lib/task-query";
import { formatDay, PRIORITIES, PRIORITY_LABELS, userTimeZone } from "@/lib/tasks";

// recharts is the biggest part of this page: load it after the numbers, and only here (a lazy import is not
// part of what prefetching the route downloads, so pages linking here do not pay for it).
const CompletionsChart = lazy(() => import("@/components/dashboard/completions-chart"));

function Heading({ children }: { children: string }) {
  return (
    <CardTitle>
      <h2>{children}</h2>
    </CardTitle>
  );
}

function PriorityTable({ stats }: { stats: TaskStats }) {
  return (
    <Card className="gap-4">
      <CardHeader>
        <Heading>By priority</Heading>
        <CardDescription>All tasks per priority, and how many are still open.</CardDescription>
      </CardHeader>
      <CardContent>
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-muted-foreground">
              <th scope="col" className="pb-2 font-medium">Priority</th>
              <th scope="col" className="pb-2 text-right font-medium">Open</th>
              <th scope="col" className="pb-2 text-right font-medium">Done</th>
              <th scope="col" className="pb-2 text-right font-medium">Total</th>
            </tr>
          </thead>
          <tbody className="tabular-nums">
            {PRIORITIES.map((priority) => {
              const counts = stats.by_priority[priority];
              return (
                <tr key={priority} className="border-t">
                  <th scope="row" className="py-2 text-left font-medium">
                    <Link href={tasksHref({ priority, status: "open" })} className="underline-offset-4 hover:underline">
                      {PRIORITY_LABELS[priority]}
                    </Link>
                  </th>
                  <td className="py-2 text-right">{counts.open}</td>
                  <td className="py-2 text-right">{counts.completed}</td>
                  <td className="py-2 text-right font-medium">{counts.total}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </CardContent>
    </Card>
  );
}

function Completions({ stats }: { stats: TaskStats }) {
  const days = stats.completed_by_day;
  const total = days.reduce((sum, d) => sum + d.completed, 0);
  return (
    <Card className="gap-4">
      <CardHeader>
        <Heading>Completed, last 30 days</Heading>
        <CardDescription>
          {total} {total === 1 ? "task" : "tasks"} done, by day ({stats.time_zone}).
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <Suspense fallback={<Skeleton className="h-48 w-full" />}>
          <CompletionsChart days={days} />
        </Suspense>
        <details className="text-sm">
          <summary className="cursor-pointer rounded text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50">
            Show as a table
          </summary>
          <table className="mt-2 w-full tabular-nums">
            <caption className="sr-only">Tasks completed per day, last 30 days</caption>
            <thead>
              <tr className="text-left text-muted-foreground">
                <th scope="col" className="font-medium">Day</th>
                <th scope="col" className="text-right font-medium">Completed</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.date} className="border-t">
                  <th scope="row" className="py-1 text-left font-normal">{formatDay(d.date)}</th>
                  <td className="py-1 text-right">{d.completed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </CardContent>
    </Card>
  );
}

export function DashboardView() {
  const { user } = useAuth();
  const userId = user?.id ?? "";
  const timeZone = userTimeZone();
  const { data: stats, error, refetch } = useQuery({
    queryKey: taskKeys.stats(userId, timeZone),
    queryFn: () => api.getStats(userId, timeZone),
    enabled: Boolean(user),
  });

  let body;
  if (error && !stats) {
    body = (
      <StatusMessage title="Your numbers could not be loaded" text={errorMessage(error)}>
        <Button variant="outline" onClick={() => void refetch()}>
          Try again
        </Button>
      </StatusMessage>
    );
  } else if (!stats) {
    body = (
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3" aria-busy="true" aria-label="Loading">
        {[0, 1, 2, 3, 4, 5].map((i) => (
          <Skeleton key={i} className="h-24 rounded-xl" />
        ))}
      </div>
    );
  } else if (stats.total === 0) {
    body = (
      <StatusMessage title="Nothing to count yet" text="Once you add tasks, you will see your progress here.">
        <Button asChild>
          <Link href="/tasks">Add a task</Link>
        </Button>
      </StatusMessage>
    );
  } else {
    const donePercent = Math.round((stats.completed / stats.total) * 100);
    body = (
      <div className="flex flex-col gap-4">
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
          <StatCard label="Due today" value={stats.due_today} hint="Open, due today" icon={CalendarCheck} href={tasksHref({ view: "today", status: "open" })} />
          <StatCard label="Overdue" value={stats.overdue} hint="Open, past their due date" icon={AlarmClock} tone="danger" href={tasksHref({ view: "overdue" })} />
          <StatCard label="Open" value={stats.open} icon={Circle} href={tasksHref({ status: "open" })} />
          <StatCard label="Done" value={stats.completed} hint={`${donePercent}% complete`} icon={CircleCheckBig} tone="success" href={tasksHref({ status: "done" })} />
          <StatCard label="Total" value={stats.total} icon={ListTodo} href={tasksHref()} />
        </div>
        <Completions stats={stats} />
        <PriorityTable stats={stats} />
      </div>
    );
  }

  return (
    <>
      <div className="mb-4">
        <h1 className="text-2xl font-semibold tracking-tight">Dashboard</h1>
        <p className="mt-1 text-sm text-muted-foreground">Where your tasks stand today.</p>
      </div>
      {body}
    </>
  );
}
