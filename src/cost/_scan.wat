;; The byte searches of `br cost import` (see `_scan.ts`), 16 bytes at a time with SIMD.
;; Addresses are offsets in the memory the module imports; every function reads only inside the
;; range it is given. Compiled by `deno run -A scripts/build_scan_wasm.ts` into `_scan_wasm.ts`.
(module
  (import "env" "memory" (memory 1))

  ;; Whether the m bytes at a equal those at b.
  (func $equal (param $a i32) (param $b i32) (param $m i32) (result i32)
    (local $k i32)
    (block $differ
      (loop $next
        (br_if $differ (i32.ge_u (local.get $k) (local.get $m)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $k)))
                    (i32.load8_u (i32.add (local.get $b) (local.get $k))))
          (then (return (i32.const 0))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (i32.const 1))

  ;; The first i in [i, to - m] (i as given) where the m bytes at i equal those of the marker at mp, or -1.
  ;; Each block of 16 candidates is compared at once on the marker's first and last byte; the
  ;; candidates that match both are compared whole.
  (func (export "find") (param $i i32) (param $to i32) (param $mp i32) (param $m i32) (result i32)
    (local $first v128) (local $last v128) (local $end i32) (local $mask i32) (local $at i32)
    (local.set $end (i32.add (i32.sub (local.get $to) (local.get $m)) (i32.const 1)))
    (local.set $first (i8x16.splat (i32.load8_u (local.get $mp))))
    (local.set $last (i8x16.splat
      (i32.load8_u (i32.add (local.get $mp) (i32.sub (local.get $m) (i32.const 1))))))
    (block $tail
      (loop $block
        (br_if $tail (i32.gt_s (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
        (local.set $mask (i8x16.bitmask (v128.and
          (i8x16.eq (v128.load align=1 (local.get $i)) (local.get $first))
          (i8x16.eq
            (v128.load align=1 (i32.add (local.get $i) (i32.sub (local.get $m) (i32.const 1))))
            (local.get $last)))))
        (block $checked
          (loop $candidate
            (br_if $checked (i32.eqz (local.get $mask)))
            (local.set $at (i32.add (local.get $i) (i32.ctz (local.get $mask))))
            (if (call $equal (local.get $at) (local.get $mp) (local.get $m))
              (then (return (local.get $at))))
            (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
            (br $candidate)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $block)))
    (block $none
      (loop $byte
        (br_if $none (i32.ge_s (local.get $i) (local.get $end)))
        (if (call $equal (local.get $i) (local.get $mp) (local.get $m))
          (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $byte)))
    (i32.const -1))

  ;; The first index in [i, to) holding a newline (10), or -1.
  (func (export "newline") (param $i i32) (param $to i32) (result i32)
    (local $mask i32) (local $nl v128)
    (local.set $nl (i8x16.splat (i32.const 10)))
    (block $tail
      (loop $block
        (br_if $tail (i32.gt_s (i32.add (local.get $i) (i32.const 16)) (local.get $to)))
        (local.set $mask (i8x16.bitmask (i8x16.eq (v128.load align=1 (local.get $i)) (local.get $nl))))
        (if (local.get $mask) (then (return (i32.add (local.get $i) (i32.ctz (local.get $mask))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $block)))
    (block $none
      (loop $byte
        (br_if $none (i32.ge_s (local.get $i) (local.get $to)))
        (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 10)) (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $byte)))
    (i32.const -1))

  ;; The last i in [floor, at] holding a newline (10), or -1.
  (func (export "newlineBefore") (param $at i32) (param $floor i32) (result i32)
    (local $mask i32) (local $nl v128) (local $start i32)
    (local.set $nl (i8x16.splat (i32.const 10)))
    (block $tail
      (loop $block
        (local.set $start (i32.sub (local.get $at) (i32.const 15)))
        (br_if $tail (i32.lt_s (local.get $start) (local.get $floor)))
        (local.set $mask
          (i8x16.bitmask (i8x16.eq (v128.load align=1 (local.get $start)) (local.get $nl))))
        (if (local.get $mask)
          (then (return
            (i32.add (local.get $start) (i32.sub (i32.const 31) (i32.clz (local.get $mask)))))))
        (local.set $at (i32.sub (local.get $at) (i32.const 16)))
        (br $block)))
    (block $none
      (loop $byte
        (br_if $none (i32.lt_s (local.get $at) (local.get $floor)))
        (if (i32.eq (i32.load8_u (local.get $at)) (i32.const 10)) (then (return (local.get $at))))
        (local.set $at (i32.sub (local.get $at) (i32.const 1)))
        (br $byte)))
    (i32.const -1)))
