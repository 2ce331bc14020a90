import * as React from "react";

import { cn } from "@/lib/utils";
import { fieldClasses } from "@/components/ui/input";

/** A native select: keyboard and screen-reader support for free, and the phone's own picker. */
function Select({ className, ...props }: React.ComponentProps<"select">) {
  return <select data-slot="select" className={cn(fieldClasses, "h-10 py-2 pr-8", className)} {...props} />;
}

export { Select };
