import { test } from "vitest";
import { compileMdx, MdxError } from "~/services/mdx-compile.server";
test("probe", async () => {
  const src = `---
id: x
title: Hello
minutes: 3
---

# Hi *there* {"lit"}

<Callout type="tip" title="T">Be **nice**.</Callout>

<Quiz passMark={0.5}>
<Question prompt="What & why?">
  <Choice>No</Choice>
  <Choice correct>Yes CORRECT</Choice>
  <Explanation>Because **EXPL**.</Explanation>
</Question>
<Question prompt="Pick two">
  <Choice correct>A</Choice>
  <Choice correct>B</Choice>
  <Choice>C</Choice>
  <Explanation>x</Explanation>
</Question>
</Quiz>

Middle | table
--- | ---
a | b

<Acknowledge>I read the **policy** & agree.</Acknowledge>

- [x] done
`;
  const r = await compileMdx(src, { file: "x.mdx" });
  console.log(JSON.stringify(r, null, 1));
  const bad = `---
id: x
---

import X from "y"
export const a = 1

Hello {process.env.SECRET} and {1+1}

<script>alert(1)</script>

<div onClick="x">a</div>

[x](javascript:alert(1)) <a href="&#106;avascript:1">y</a>

<iframe src="https://x" />

<Callout><Quiz><Question prompt="a"><Choice>a</Choice></Question></Quiz></Callout>

<Foo />

<Figure src="http://x/a.png" alt="a" bad="1" />

<Callout style={{color: "red"}} dangerouslySetInnerHTML={{__html: "x"}}>x</Callout>
`;
  try { await compileMdx(bad, { file: "bad.mdx" }); } catch (e) { console.log((e as MdxError).message); }
  for (const s of ["---js\nmodule.exports={}\n---\nhi", "---\nid: [\n---\nhi", "hi\n\n<Callout>\n\n</Calout>\n"]) {
    try { await compileMdx(s, { file: "b.mdx" }); console.log("NO ERROR"); } catch (e) { console.log((e as MdxError).message); }
  }
});
