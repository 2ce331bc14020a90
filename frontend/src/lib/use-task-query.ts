"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";

import { parseQuery, toSearchParams, type TaskQuery } from "@/lib/task-query";

/**
 * The tasks page's view, filters, search, sort and page, kept in the URL: a reload or a shared link shows
 * the same list, and Back undoes a change. Typing in search replaces the entry instead of adding one per key.
 */
export function useTaskQuery() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const query = useMemo(() => parseQuery(params), [params]);

  const setQuery = useCallback(
    (change: Partial<TaskQuery>, { replace = false }: { replace?: boolean } = {}) => {
      const next = toSearchParams({ ...query, page: 0, ...change }).toString();
      const href = next ? `${pathname}?${next}` : pathname;
      if (replace) router.replace(href, { scroll: false });
      else router.push(href, { scroll: false });
    },
    [query, pathname, router],
  );

  return { query, setQuery };
}
