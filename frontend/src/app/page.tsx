import Link from "next/link";
import { CalendarClock, CircleCheckBig, Filter, LayoutDashboard } from "lucide-react";

import { Button } from "@/components/ui/button";

const FEATURES = [
  { icon: CalendarClock, title: "Due dates that nag", text: "Overdue tasks stand out, so nothing slips." },
  { icon: Filter, title: "Find anything", text: "Filter by status and priority, search, and sort." },
  { icon: LayoutDashboard, title: "See where you stand", text: "A dashboard with what is done, open and late." },
];

/** The landing page for signed-out visitors; `proxy.ts` sends signed-in users to /tasks. */
export default function HomePage() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-4xl flex-col px-4 py-6 sm:px-6">
      <header className="flex items-center justify-between">
        <span className="flex items-center gap-2 text-lg font-semibold">
          <CircleCheckBig className="size-6" aria-hidden />
          Todo
        </span>
        <Button asChild variant="ghost">
          <Link href="/login">Sign in</Link>
        </Button>
      </header>
      <section className="flex flex-1 flex-col items-center justify-center gap-6 py-16 text-center">
        <h1 className="max-w-2xl text-4xl font-semibold tracking-tight text-balance sm:text-5xl">
          Everything you have to do, in one calm list.
        </h1>
        <p className="max-w-xl text-lg text-muted-foreground text-balance">
          Capture tasks, give them a priority and a due date, and tick them off.
        </p>
        <div className="flex flex-col gap-3 sm:flex-row">
          <Button asChild size="lg">
            <Link href="/signup">Get started</Link>
          </Button>
          <Button asChild size="lg" variant="outline">
            <Link href="/login">I have an account</Link>
          </Button>
        </div>
      </section>
      <ul className="grid gap-4 pb-10 sm:grid-cols-3">
        {FEATURES.map(({ icon: Icon, title, text }) => (
          <li key={title} className="rounded-xl border bg-card p-5">
            <Icon className="mb-3 size-5 text-muted-foreground" aria-hidden />
            <h2 className="font-medium">{title}</h2>
            <p className="mt-1 text-sm text-muted-foreground">{text}</p>
          </li>
        ))}
      </ul>
    </main>
  );
}
