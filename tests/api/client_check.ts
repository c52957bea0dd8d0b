import type { components } from "./schema";

declare const process: { env: Record<string, string | undefined> };

type ReviewList = components["schemas"]["ReviewListSchema"];
type Block = ReviewList["items"][number]["body"][number];
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B
  ? 1
  : 2
  ? true
  : false;
// Fails to compile unless the body is a union discriminated by block type.
const typed: Equals<Block["type"], "paragraph" | "heading" | "quote" | "image" | "spoiler"> = true;
// What a review write sends is typed the same way.
type BlockIn = NonNullable<components["schemas"]["ReviewInSchema"]["body"]>[number];
const typedInput: Equals<BlockIn["type"], Block["type"]> = true;
const draft: BlockIn[] = [
  { type: "paragraph", value: "<p>Cold.</p>" },
  { type: "spoiler", value: { label: "The end", spoils: 1, content: [{ type: "image", value: { image: 2 } }] } },
];

async function main(): Promise<void> {
  const response = await fetch(`${process.env.B}/api/v3/reviews/?spoilers=show`);
  const list = (await response.json()) as ReviewList;
  const spoilers = list.items
    .flatMap((review) => review.body)
    .filter((block): block is Extract<Block, { type: "spoiler" }> => block.type === "spoiler");
  const hidden: boolean[] = spoilers.map((block) => block.value.hidden);
  const opened: number = spoilers.filter((block) => block.value.content !== null).length;
  console.log(JSON.stringify({ typed, typedInput, drafted: draft.length, count: list.count, spoilers: hidden.length, opened }));
}

main();
