import Link from "next/link";

import { DEFAULT_SORT, toSearchParams, VIEW_LABELS, VIEWS, type TaskQuery, type View } from "@/lib/task-query";
import { cn } from "@/lib/utils";

function viewHref(query: TaskQuery, view: View): string {
  const next = toSearchParams({
    ...query,
    view,
    sort: DEFAULT_SORT[view],
    status: view === "overdue" || query.view === "overdue" ? "all" : query.status,
    page: 0,
  }).toString();
  return next ? `/tasks?${next}` : "/tasks";
}

/** Today / Upcoming / Overdue / All: links, so each view has its own URL and Back returns to the last one. */
export function ViewTabs({ query }: { query: TaskQuery }) {
  return (
    <nav aria-label="Views" className="-mx-1 flex gap-1 overflow-x-auto px-1">
      {VIEWS.map((view) => {
        const active = query.view === view;
        return (
          <Link
            key={view}
            href={viewHref(query, view)}
            scroll={false}
            // The same page with another query: nothing worth fetching ahead.
            prefetch={false}
            aria-current={active ? "page" : undefined}
            className={cn(
              "flex h-9 shrink-0 items-center rounded-full border px-3.5 text-sm font-medium text-muted-foreground outline-none transition-colors hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
              active && "border-primary bg-primary text-primary-foreground hover:text-primary-foreground",
            )}
          >
            {VIEW_LABELS[view]}
          </Link>
        );
      })}
    </nav>
  );
}
