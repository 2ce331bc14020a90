"use client";

import { useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";
import { Search, SlidersHorizontal } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { SORT_OPTIONS, type TaskQuery } from "@/lib/task-query";
import { PRIORITIES, PRIORITY_LABELS } from "@/lib/tasks";
import { cn } from "@/lib/utils";

const SEARCH_DELAY_MS = 300;

export interface ToolbarHandle {
  focusSearch(): void;
}

interface TaskToolbarProps {
  query: TaskQuery;
  onChange(change: Partial<TaskQuery>, options?: { replace?: boolean }): void;
  ref?: Ref<ToolbarHandle>;
}

/** Search, and status, priority and sort (behind "Filters" on a phone); `onChange` gets the changed fields. */
export function TaskToolbar({ query, onChange, ref }: TaskToolbarProps) {
  const [search, setSearch] = useState(query.q);
  const searchInput = useRef<HTMLInputElement>(null);
  const filtersActive = query.status !== "all" || query.priority !== "all";
  const [open, setOpen] = useState(filtersActive);
  useImperativeHandle(ref, () => ({ focusSearch: () => searchInput.current?.focus() }), []);

  // The URL changed under us (Back, a link, "Clear filters"): show its search.
  const [shownQ, setShownQ] = useState(query.q);
  if (shownQ !== query.q) {
    setShownQ(query.q);
    setSearch(query.q);
  }

  useEffect(() => {
    if (search === query.q) return;
    const timer = setTimeout(() => onChange({ q: search }, { replace: true }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, query.q, onChange]);

  return (
    <div className="flex flex-col gap-2">
      <div className="flex gap-2" role="search">
        <div className="relative flex-1">
          <label htmlFor="task-search" className="sr-only">
            Search tasks
          </label>
          <Search
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden
          />
          <Input
            ref={searchInput}
            id="task-search"
            type="search"
            placeholder="Search (press /)"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape" && search) {
                e.preventDefault();
                setSearch("");
              }
            }}
            className="pl-9"
            dir="auto"
          />
        </div>
        <Button
          type="button"
          variant="outline"
          aria-expanded={open}
          aria-controls="task-filters"
          onClick={() => setOpen((o) => !o)}
          className="sm:hidden"
        >
          <SlidersHorizontal aria-hidden />
          Filters{filtersActive && <span className="size-2 rounded-full bg-primary" aria-label="(on)" />}
        </Button>
      </div>
      <div id="task-filters" className={cn("grid grid-cols-3 gap-2 sm:grid", !open && "hidden")}>
        <div className="grid gap-1">
          <Label htmlFor="task-status" className="text-xs text-muted-foreground">
            Status
          </Label>
          <Select
            id="task-status"
            value={query.status}
            disabled={query.view === "overdue"}
            onChange={(e) => onChange({ status: e.target.value as TaskQuery["status"] })}
            className="h-9"
          >
            <option value="all">All</option>
            <option value="open">Open</option>
            <option value="done">Done</option>
          </Select>
        </div>
        <div className="grid gap-1">
          <Label htmlFor="task-priority" className="text-xs text-muted-foreground">
            Priority
          </Label>
          <Select
            id="task-priority"
            value={query.priority}
            onChange={(e) => onChange({ priority: e.target.value as TaskQuery["priority"] })}
            className="h-9"
          >
            <option value="all">All</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABELS[p]}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-1">
          <Label htmlFor="task-sort" className="text-xs text-muted-foreground">
            Sort by
          </Label>
          <Select
            id="task-sort"
            value={query.sort}
            onChange={(e) => onChange({ sort: e.target.value as TaskQuery["sort"] })}
            className="h-9"
          >
            {SORT_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </Select>
        </div>
      </div>
    </div>
  );
}
