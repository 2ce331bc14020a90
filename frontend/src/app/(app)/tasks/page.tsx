import type { Metadata } from "next";
import { Suspense } from "react";

import { TasksView } from "@/components/tasks/tasks-view";

export const metadata: Metadata = { title: "Tasks" };

export default function TasksPage() {
  // The view reads the query string (useSearchParams), which a static page only knows in the browser.
  return (
    <Suspense>
      <TasksView />
    </Suspense>
  );
}
