"use client";

import { useEffect, useState } from "react";

/** An exact time: ISO until hydrated, then in the browser's locale and zone (the server's would differ). */
export function When({ iso }: { iso: string }) {
  const [text, setText] = useState(() => `${iso.slice(0, 16).replace("T", " ")} UTC`);
  useEffect(() => setText(new Date(iso).toLocaleString()), [iso]);
  return <time dateTime={iso}>{text}</time>;
}
