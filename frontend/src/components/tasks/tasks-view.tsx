"use client";

import { useCallback, useMemo, useState } from "react";

import { PageHeader } from "@/components/layout/page-header";
import { useSignedInUser } from "@/components/providers/auth-provider";
import { Pager } from "@/components/tasks/pager";
import type { TaskActions } from "@/components/tasks/task-item";
import { TaskForm } from "@/components/tasks/task-form";
import { TaskList } from "@/components/tasks/task-list";
import {
  DEFAULT_QUERY,
  describeCount,
  isFiltered,
  PAGE_SIZE,
  toFilters,
  type TaskQuery,
} from "@/components/tasks/task-query";
import { TaskToolbar } from "@/components/tasks/task-toolbar";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { api, type CreateTaskInput } from "@/lib/api";
import { useLoad } from "@/lib/use-load";

export function TasksView() {
  const user = useSignedInUser();
  const [query, setQuery] = useState<TaskQuery>(DEFAULT_QUERY);
  const loadTasks = useCallback(() => api.getTasks(user.id, toFilters(query)), [user.id, query]);
  const { data: page, error, isLoading, reload } = useLoad(loadTasks);
  const shown = page?.tasks.length ?? 0;

  const changeFilters = useCallback(
    (change: Partial<Omit<TaskQuery, "page">>) => setQuery((q) => ({ ...q, ...change, page: 0 })),
    [],
  );
  const goToPage = (n: number) => setQuery((q) => ({ ...q, page: n }));
  // Remounting the toolbar resets its search box, which keeps its own text while the user types.
  const [toolbarKey, setToolbarKey] = useState(0);
  const clearFilters = () => {
    setQuery((q) => ({ ...DEFAULT_QUERY, sort: q.sort }));
    setToolbarKey((n) => n + 1);
  };

  const createTask = async (values: CreateTaskInput) => {
    await api.createTask(user.id, values);
    if (query.page === 0) reload();
    else goToPage(0);
  };

  const actions = useMemo<TaskActions>(
    () => ({
      async toggle(task) {
        await api.toggleTaskComplete(user.id, task.id);
        reload();
      },
      async update(task, values) {
        await api.updateTask(user.id, task.id, values);
        reload();
      },
      async remove(task) {
        await api.deleteTask(user.id, task.id);
        // Deleting the last task of a later page: step back instead of showing an empty page.
        if (shown === 1 && query.page > 0) setQuery((q) => ({ ...q, page: q.page - 1 }));
        else reload();
      },
    }),
    [user.id, reload, shown, query.page],
  );

  return (
    <>
      <PageHeader title="Tasks" description={page ? describeCount(page.total, isFiltered(query)) : undefined} />
      <div className="flex flex-col gap-6">
        <Card className="gap-4">
          <CardHeader>
            <CardTitle>
              <h2>New task</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <TaskForm submitLabel="Add task" onSubmit={createTask} />
          </CardContent>
        </Card>
        <section aria-label="Your tasks" className="flex flex-col gap-4">
          <TaskToolbar key={toolbarKey} query={query} onChange={changeFilters} />
          <TaskList
            page={page}
            error={error}
            isLoading={isLoading}
            isFiltered={isFiltered(query)}
            onRetry={reload}
            onClearFilters={clearFilters}
            actions={actions}
          />
          {page && (
            <Pager page={query.page} pageSize={PAGE_SIZE} shown={shown} total={page.total} onPageChange={goToPage} />
          )}
        </section>
      </div>
    </>
  );
}
