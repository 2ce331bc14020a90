import type { Metadata } from "next";

import { TasksView } from "@/components/tasks/tasks-view";

export const metadata: Metadata = { title: "Tasks" };

// Rendered per request, with the query string: the page's frame (views, quick add, search) arrives as HTML
// instead of waiting for the browser to read the URL (a static page would leave it all to JavaScript).
export const dynamic = "force-dynamic";

export default function TasksPage() {
  return <TasksView />;
}
