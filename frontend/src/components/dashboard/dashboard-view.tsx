"use client";

import Link from "next/link";
import { useCallback } from "react";
import { AlarmClock, CircleCheckBig, Circle, ListTodo } from "lucide-react";

import { PriorityBreakdown } from "@/components/dashboard/priority-breakdown";
import { StatCard } from "@/components/dashboard/stat-card";
import { PageHeader } from "@/components/layout/page-header";
import { StatusMessage } from "@/components/layout/status-message";
import { useSignedInUser } from "@/components/providers/auth-provider";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { api } from "@/lib/api";
import { summarizeTasks } from "@/lib/tasks";
import { useLoad } from "@/lib/use-load";

export function DashboardView() {
  const user = useSignedInUser();
  const loadStats = useCallback(async () => summarizeTasks(await api.getAllTasks(user.id)), [user.id]);
  const { data: stats, error, reload } = useLoad(loadStats);

  let body;
  if (error) {
    body = (
      <StatusMessage title="Your numbers could not be loaded" text={error}>
        <Button variant="outline" onClick={reload}>
          Try again
        </Button>
      </StatusMessage>
    );
  } else if (!stats) {
    body = (
      <div className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4" aria-busy="true" aria-label="Loading">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-28 rounded-xl" />
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
    const donePercent = Math.round((stats.done / stats.total) * 100);
    body = (
      <div className="flex flex-col gap-6">
        <div className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4">
          <StatCard label="Total" value={stats.total} icon={ListTodo} />
          <StatCard label="Done" value={stats.done} hint={`${donePercent}% complete`} icon={CircleCheckBig} tone="success" />
          <StatCard label="Open" value={stats.open} icon={Circle} />
          <StatCard label="Overdue" value={stats.overdue} hint="Open and past their due date" icon={AlarmClock} tone="danger" />
        </div>
        <PriorityBreakdown stats={stats} />
      </div>
    );
  }

  return (
    <>
      <PageHeader title="Dashboard" description="Where your tasks stand today." />
      {body}
    </>
  );
}
