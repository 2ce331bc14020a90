"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { TaskStats } from "@/lib/api";
import { formatDay } from "@/lib/tasks";

/** Tasks completed per day, as bars; hidden from screen readers, which get the table beside it. */
export default function CompletionsChart({ days }: { days: TaskStats["completed_by_day"] }) {
  const data = days.map((d) => ({ day: formatDay(d.date), completed: d.completed }));
  return (
    <div className="h-48 w-full text-xs" aria-hidden>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -24 }} accessibilityLayer={false}>
          <CartesianGrid vertical={false} stroke="var(--border)" />
          <XAxis dataKey="day" tickLine={false} axisLine={false} interval={6} tick={{ fill: "var(--muted-foreground)" }} />
          <YAxis allowDecimals={false} tickLine={false} axisLine={false} tick={{ fill: "var(--muted-foreground)" }} />
          <Tooltip
            cursor={{ fill: "var(--accent)" }}
            contentStyle={{ background: "var(--card)", border: "1px solid var(--border)", borderRadius: 8, color: "var(--card-foreground)" }}
          />
          <Bar dataKey="completed" name="Completed" fill="var(--success)" radius={[3, 3, 0, 0]} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
