/** Shared spec texts and helpers of the spec tests. */
import { br } from "../helpers.ts";

/** A hand-written spec in the documented format, with prose `br` does not own. */
export const HAND_SPEC = `---
# The product spec of Acme.
name: Acme
status: draft
industry: healthcare
use_case: dashboard
stack: [deno, postgres]
owner: team-a
---
# Acme

Intro text that belongs to the user.

## Overview

A dashboard where clinic staff see today's patients.

## Users

- Clinic staff

## Features

Some words before the first feature.

### User model {#user-model}

Stores users.

Priority: high
Depends on: none
Acceptance:
- [x] Users have an email
- [ ] Users have a role

Notes kept by the user.

### Login {#auth-login}

Priority: medium
Depends on: user-model
Files: src/auth/**
Acceptance:
- [ ] A user can log in

## Architecture

- \`src/ui -/-> src/db\`

## Design

Calm colors.

## Non-functional

- p95 < 200 ms

## Out of scope

- Billing
`;

/** Runs `br` in `cwd` and fails the test with stderr when the exit code differs. */
export async function brOk(args: string[], cwd: string, code = 0) {
  const res = await br(args, { cwd });
  if (res.code !== code) {
    throw new Error(
      `br ${args.join(" ")} exited ${res.code}, want ${code}\n${res.stdout}\n${res.stderr}`,
    );
  }
  return res;
}
