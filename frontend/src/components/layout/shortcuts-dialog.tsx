"use client";

import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";

const SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ["n"], what: "New task (on the tasks page)" },
  { keys: ["/"], what: "Search tasks" },
  { keys: ["Enter"], what: "Add the task being typed; save an edit" },
  { keys: ["Space"], what: "Tick or untick the focused task" },
  { keys: ["Esc"], what: "Cancel an edit, close a menu or dialog" },
  { keys: ["?"], what: "Show these shortcuts" },
];

export default function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogTitle>Keyboard shortcuts</DialogTitle>
        <DialogDescription>Single keys work when you are not typing in a field.</DialogDescription>
        <table className="w-full text-sm">
          <thead className="sr-only">
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map(({ keys, what }) => (
              <tr key={what} className="border-t first:border-t-0">
                <td className="py-2 pr-4 align-top whitespace-nowrap">
                  {keys.map((k) => (
                    <kbd key={k} className="rounded border bg-muted px-1.5 py-0.5 font-mono text-xs">
                      {k}
                    </kbd>
                  ))}
                </td>
                <td className="py-2">{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </DialogContent>
    </Dialog>
  );
}
