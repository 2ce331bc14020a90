"use client";

import { useCallback, useEffect, useState } from "react";

import { errorMessage } from "@/lib/api";

interface Loaded<T> {
  load: () => Promise<T>;
  version: number;
  data: T | null;
  error: string | null;
}

/**
 * Run `load` (keep it stable with `useCallback`) whenever it changes or `reload()` is called.
 * While a new load runs, the last data stays available and `isLoading` is true.
 */
export function useLoad<T>(load: () => Promise<T>) {
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded<T> | null>(null);

  useEffect(() => {
    let active = true;
    load().then(
      (data) => active && setLoaded({ load, version, data, error: null }),
      (error: unknown) => active && setLoaded({ load, version, data: null, error: errorMessage(error) }),
    );
    return () => {
      active = false;
    };
  }, [load, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const isLoading = loaded?.load !== load || loaded.version !== version;

  return { data: loaded?.data ?? null, error: isLoading ? null : (loaded?.error ?? null), isLoading, reload };
}
