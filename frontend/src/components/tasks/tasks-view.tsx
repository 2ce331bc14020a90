"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useRef } from "react";

import { useAuth } from "@/components/providers/auth-provider";
import { Pager } from "@/components/tasks/pager";
import { QuickAdd, type QuickAddHandle } from "@/components/tasks/quick-add";
import { TaskList } from "@/components/tasks/task-list";
import { TaskToolbar, type ToolbarHandle } from "@/components/tasks/task-toolbar";
import { useTaskMutations } from "@/components/tasks/use-task-mutations";
import { ViewTabs } from "@/components/tasks/view-tabs";
import { api } from "@/lib/api";
import { taskKeys } from "@/lib/task-cache";
import { describeCount, isFiltered, PAGE_SIZE, toFilters, VIEW_LABELS } from "@/lib/task-query";
import { todayKey } from "@/lib/tasks";
import { useShortcut } from "@/lib/use-shortcut";
import { useTaskQuery } from "@/lib/use-task-query";

export function TasksView() {
  // The page draws before the session check answers (the proxy saw a cookie); the list waits for the user.
  const { user } = useAuth();
  const userId = user?.id ?? "";
  const { query, setQuery } = useTaskQuery();
  const today = todayKey();
  const filters = toFilters(query, today);
  const list = useQuery({
    queryKey: taskKeys.list(userId, filters),
    queryFn: () => api.getTasks(userId, filters),
    placeholderData: keepPreviousData,
    enabled: Boolean(user),
  });
  const mutations = useTaskMutations(userId);
  const quickAdd = useRef<QuickAddHandle>(null);
  const toolbar = useRef<ToolbarHandle>(null);
  useShortcut("n", () => quickAdd.current?.focus());
  useShortcut("/", () => toolbar.current?.focusSearch());

  const page = list.data;
  const filtered = isFiltered(query);
  const title = query.view === "all" ? "All tasks" : VIEW_LABELS[query.view];

  function clearFilters() {
    setQuery({ status: "all", priority: "all", q: "" });
    requestAnimationFrame(() => toolbar.current?.focusSearch());
  }

  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-baseline justify-between gap-3">
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {page && (
          <p className="text-sm text-muted-foreground" aria-live="polite">
            {describeCount(page.total, filtered)}
          </p>
        )}
      </div>
      <ViewTabs query={query} />
      <QuickAdd
        ref={quickAdd}
        userId={userId}
        mutations={mutations}
        defaultDueDate={query.view === "today" ? today : ""}
      />
      <section aria-label="Your tasks" className="flex flex-col gap-3">
        <TaskToolbar ref={toolbar} query={query} onChange={setQuery} />
        <TaskList
          page={page}
          error={list.error}
          isFetching={list.isPlaceholderData}
          view={query.view}
          today={today}
          isFiltered={filtered}
          onRetry={() => void list.refetch()}
          onClearFilters={clearFilters}
          mutations={mutations}
          focusFallback={() => quickAdd.current?.focus()}
        />
        {page && (
          <Pager
            page={query.page}
            pageSize={PAGE_SIZE}
            shown={page.tasks.length}
            total={page.total}
            onPageChange={(n) => setQuery({ page: n })}
          />
        )}
      </section>
    </div>
  );
}
