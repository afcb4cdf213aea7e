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
    (i32.const -1))
;; ---- The reduced JSON of a usage line ---------------------------------------------------------
  ;;
  ;; `reduce` checks that a line is one JSON object as JSON.parse reads it, its strings UTF-8 (as
  ;; a strict decoder reads them), and writes a smaller object with only the members a parser
  ;; reads: the top-level members whose key is in one list, and of the member whose key is the
  ;; parent (when its value is an object) only the members in another list. Members are copied
  ;; byte for byte and in order, so repeated keys stay (the last one wins in JSON.parse). It
  ;; returns the reduced object's length, or -1 whenever it is not sure: the line is not an object
  ;; or not valid, a key has an escape, nesting is too deep, the output does not fit. The caller
  ;; then parses the whole line instead, which decides.

  (global $p (mut i32) (i32.const 0))
  (global $end (mut i32) (i32.const 0))
  (global $o (mut i32) (i32.const 0))
  (global $oend (mut i32) (i32.const 0))
  (global $stack (mut i32) (i32.const 0))
  (global $stackEnd (mut i32) (i32.const 0))
  (global $escaped (mut i32) (i32.const 0))

  ;; The byte at $p, or -1 at the end.
  (func $peek (result i32)
    (if (result i32) (i32.lt_u (global.get $p) (global.get $end))
      (then (i32.load8_u (global.get $p)))
      (else (i32.const -1))))

  ;; Skips JSON whitespace.
  (func $ws
    (local $c i32)
    (block $done
      (loop $next
        (local.set $c (call $peek))
        (br_if $done (i32.eqz (i32.or (i32.or (i32.eq (local.get $c) (i32.const 32))
                                              (i32.eq (local.get $c) (i32.const 9)))
                                      (i32.or (i32.eq (local.get $c) (i32.const 10))
                                              (i32.eq (local.get $c) (i32.const 13))))))
        (global.set $p (i32.add (global.get $p) (i32.const 1)))
        (br $next))))

  ;; Whether the byte at a (below $end) is a UTF-8 continuation byte in [lo, hi].
  (func $byteIn (param $a i32) (param $lo i32) (param $hi i32) (result i32)
    (local $c i32)
    (if (i32.ge_u (local.get $a) (global.get $end)) (then (return (i32.const 0))))
    (local.set $c (i32.load8_u (local.get $a)))
    (i32.and (i32.ge_u (local.get $c) (local.get $lo)) (i32.le_u (local.get $c) (local.get $hi))))

  ;; Checks the UTF-8 sequence at $p (its first byte is 0x80 or more) and moves past it.
  (func $utf8 (result i32)
    (local $c i32) (local $lo i32) (local $hi i32) (local $n i32)
    (local.set $c (i32.load8_u (global.get $p)))
    (local.set $lo (i32.const 0x80))
    (local.set $hi (i32.const 0xbf))
    (if (i32.lt_u (local.get $c) (i32.const 0xc2)) (then (return (i32.const 0))))
    (if (i32.lt_u (local.get $c) (i32.const 0xe0))
      (then (local.set $n (i32.const 1)))
      (else (if (i32.lt_u (local.get $c) (i32.const 0xf0))
        (then
          (local.set $n (i32.const 2))
          (if (i32.eq (local.get $c) (i32.const 0xe0)) (then (local.set $lo (i32.const 0xa0))))
          (if (i32.eq (local.get $c) (i32.const 0xed)) (then (local.set $hi (i32.const 0x9f)))))
        (else (if (i32.lt_u (local.get $c) (i32.const 0xf5))
          (then
            (local.set $n (i32.const 3))
            (if (i32.eq (local.get $c) (i32.const 0xf0)) (then (local.set $lo (i32.const 0x90))))
            (if (i32.eq (local.get $c) (i32.const 0xf4)) (then (local.set $hi (i32.const 0x8f)))))
          (else (return (i32.const 0))))))))
    ;; The second byte has its own range, the others any continuation byte.
    (if (i32.eqz (call $byteIn (i32.add (global.get $p) (i32.const 1)) (local.get $lo) (local.get $hi)))
      (then (return (i32.const 0))))
    (if (i32.ge_u (local.get $n) (i32.const 2))
      (then (if (i32.eqz (call $byteIn (i32.add (global.get $p) (i32.const 2)) (i32.const 0x80) (i32.const 0xbf)))
        (then (return (i32.const 0))))))
    (if (i32.ge_u (local.get $n) (i32.const 3))
      (then (if (i32.eqz (call $byteIn (i32.add (global.get $p) (i32.const 3)) (i32.const 0x80) (i32.const 0xbf)))
        (then (return (i32.const 0))))))
    (global.set $p (i32.add (global.get $p) (i32.add (local.get $n) (i32.const 1))))
    (i32.const 1))

  ;; Whether c is a hexadecimal digit.
  (func $hex (param $c i32) (result i32)
    (i32.or (i32.and (i32.ge_u (local.get $c) (i32.const 48)) (i32.le_u (local.get $c) (i32.const 57)))
      (i32.and (i32.ge_u (i32.or (local.get $c) (i32.const 32)) (i32.const 97))
               (i32.le_u (i32.or (local.get $c) (i32.const 32)) (i32.const 102)))))

  ;; The string at $p (its opening quote): checks it and moves past it; sets $escaped when it
  ;; holds an escape. Sixteen bytes at a time until one is a quote, a backslash, a control
  ;; character or not ASCII.
  (func $string (result i32)
    (local $c i32) (local $mask i32) (local $v v128)
    (global.set $p (i32.add (global.get $p) (i32.const 1)))
    (loop $next
      (if (i32.le_u (i32.add (global.get $p) (i32.const 16)) (global.get $end))
        (then
          (local.set $v (v128.load align=1 (global.get $p)))
          (local.set $mask (i8x16.bitmask (v128.or
            (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 34)))
                     (i8x16.eq (local.get $v) (i8x16.splat (i32.const 92))))
            (i8x16.lt_s (local.get $v) (i8x16.splat (i32.const 32))))))
          (if (i32.eqz (local.get $mask))
            (then
              (global.set $p (i32.add (global.get $p) (i32.const 16)))
              (br $next)))
          (global.set $p (i32.add (global.get $p) (i32.ctz (local.get $mask))))))
      (if (i32.ge_u (global.get $p) (global.get $end)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u (global.get $p)))
      (if (i32.eq (local.get $c) (i32.const 34))
        (then
          (global.set $p (i32.add (global.get $p) (i32.const 1)))
          (return (i32.const 1))))
      (if (i32.eq (local.get $c) (i32.const 92))
        (then
          (global.set $escaped (i32.const 1))
          (if (i32.ge_u (i32.add (global.get $p) (i32.const 1)) (global.get $end))
            (then (return (i32.const 0))))
          (local.set $c (i32.load8_u (i32.add (global.get $p) (i32.const 1))))
          (if (i32.eq (local.get $c) (i32.const 117)) ;; u and four hexadecimal digits
            (then
              (if (i32.gt_u (i32.add (global.get $p) (i32.const 6)) (global.get $end))
                (then (return (i32.const 0))))
              (if (i32.eqz (i32.and
                    (i32.and (call $hex (i32.load8_u (i32.add (global.get $p) (i32.const 2))))
                             (call $hex (i32.load8_u (i32.add (global.get $p) (i32.const 3)))))
                    (i32.and (call $hex (i32.load8_u (i32.add (global.get $p) (i32.const 4))))
                             (call $hex (i32.load8_u (i32.add (global.get $p) (i32.const 5)))))))
                (then (return (i32.const 0))))
              (global.set $p (i32.add (global.get $p) (i32.const 6)))
              (br $next)))
          ;; " \ / b f n r t
          (if (i32.eqz (i32.or (i32.or (i32.or (i32.eq (local.get $c) (i32.const 34))
                                               (i32.eq (local.get $c) (i32.const 92)))
                                       (i32.or (i32.eq (local.get $c) (i32.const 47))
                                               (i32.eq (local.get $c) (i32.const 98))))
                               (i32.or (i32.or (i32.eq (local.get $c) (i32.const 102))
                                               (i32.eq (local.get $c) (i32.const 110)))
                                       (i32.or (i32.eq (local.get $c) (i32.const 114))
                                               (i32.eq (local.get $c) (i32.const 116))))))
            (then (return (i32.const 0))))
          (global.set $p (i32.add (global.get $p) (i32.const 2)))
          (br $next)))
      (if (i32.lt_u (local.get $c) (i32.const 32)) (then (return (i32.const 0))))
      (if (i32.lt_u (local.get $c) (i32.const 128))
        (then
          (global.set $p (i32.add (global.get $p) (i32.const 1)))
          (br $next)))
      (if (i32.eqz (call $utf8)) (then (return (i32.const 0))))
      (br $next))
    (i32.const 0))

  ;; Whether the byte at $p is a digit.
  (func $digit (result i32)
    (local $c i32)
    (local.set $c (call $peek))
    (i32.and (i32.ge_s (local.get $c) (i32.const 48)) (i32.le_s (local.get $c) (i32.const 57))))

  ;; Moves past digits; whether there was one.
  (func $digits (result i32)
    (if (i32.eqz (call $digit)) (then (return (i32.const 0))))
    (loop $next
      (global.set $p (i32.add (global.get $p) (i32.const 1)))
      (br_if $next (call $digit)))
    (i32.const 1))

  ;; The number at $p: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  (func $number (result i32)
    (local $c i32)
    (if (i32.eq (call $peek) (i32.const 45)) (then (global.set $p (i32.add (global.get $p) (i32.const 1)))))
    (if (i32.eq (call $peek) (i32.const 48))
      (then (global.set $p (i32.add (global.get $p) (i32.const 1))))
      (else (if (i32.eqz (call $digits)) (then (return (i32.const 0))))))
    (if (i32.eq (call $peek) (i32.const 46))
      (then
        (global.set $p (i32.add (global.get $p) (i32.const 1)))
        (if (i32.eqz (call $digits)) (then (return (i32.const 0))))))
    (local.set $c (call $peek))
    (if (i32.or (i32.eq (local.get $c) (i32.const 101)) (i32.eq (local.get $c) (i32.const 69)))
      (then
        (global.set $p (i32.add (global.get $p) (i32.const 1)))
        (local.set $c (call $peek))
        (if (i32.or (i32.eq (local.get $c) (i32.const 43)) (i32.eq (local.get $c) (i32.const 45)))
          (then (global.set $p (i32.add (global.get $p) (i32.const 1)))))
        (if (i32.eqz (call $digits)) (then (return (i32.const 0))))))
    (i32.const 1))

  ;; Whether the n bytes at a follow $p; moves past them.
  (func $literal (param $a i32) (param $n i32) (result i32)
    (if (i32.gt_u (i32.add (global.get $p) (local.get $n)) (global.get $end))
      (then (return (i32.const 0))))
    (if (i32.eqz (call $equal (global.get $p) (local.get $a) (local.get $n)))
      (then (return (i32.const 0))))
    (global.set $p (i32.add (global.get $p) (local.get $n)))
    (i32.const 1))

  ;; The value at $p (after whitespace), whatever it holds: checks it and moves past it.
  ;; Objects and arrays open entries on the stack (a byte each: 1 object, 2 array).
  (func $value (param $lits i32) (result i32)
    (local $c i32) (local $sp i32) (local $state i32)
    ;; state 0: a value is next; 1: a value ended; 2: a member's key is next
    (local.set $sp (global.get $stack))
    (loop $step
      (call $ws)
      (if (i32.eq (local.get $state) (i32.const 2))
        (then
          (if (i32.ne (call $peek) (i32.const 34)) (then (return (i32.const 0))))
          (if (i32.eqz (call $string)) (then (return (i32.const 0))))
          (call $ws)
          (if (i32.ne (call $peek) (i32.const 58)) (then (return (i32.const 0))))
          (global.set $p (i32.add (global.get $p) (i32.const 1)))
          (local.set $state (i32.const 0))
          (br $step)))
      (local.set $c (call $peek))
      (if (i32.eq (local.get $state) (i32.const 1))
        (then
          (if (i32.eq (local.get $sp) (global.get $stack)) (then (return (i32.const 1))))
          (if (i32.eq (local.get $c) (i32.const 44))
            (then
              (global.set $p (i32.add (global.get $p) (i32.const 1)))
              (local.set $state
                (select (i32.const 2) (i32.const 0)
                  (i32.eq (i32.load8_u (i32.sub (local.get $sp) (i32.const 1))) (i32.const 1))))
              (br $step)))
          (if (i32.eq (local.get $c)
                (select (i32.const 125) (i32.const 93)
                  (i32.eq (i32.load8_u (i32.sub (local.get $sp) (i32.const 1))) (i32.const 1))))
            (then
              (global.set $p (i32.add (global.get $p) (i32.const 1)))
              (local.set $sp (i32.sub (local.get $sp) (i32.const 1)))
              (br $step)))
          (return (i32.const 0))))
      ;; A value.
      (local.set $state (i32.const 1))
      (if (i32.eq (local.get $c) (i32.const 34))
        (then
          (if (i32.eqz (call $string)) (then (return (i32.const 0))))
          (br $step)))
      (if (i32.or (i32.eq (local.get $c) (i32.const 123)) (i32.eq (local.get $c) (i32.const 91)))
        (then
          (global.set $p (i32.add (global.get $p) (i32.const 1)))
          (call $ws)
          ;; Empty: a value ended.
          (if (i32.eq (call $peek) (i32.add (local.get $c) (i32.const 2)))
            (then
              (global.set $p (i32.add (global.get $p) (i32.const 1)))
              (br $step)))
          (if (i32.ge_u (local.get $sp) (global.get $stackEnd)) (then (return (i32.const 0))))
          (i32.store8 (local.get $sp) (select (i32.const 1) (i32.const 2) (i32.eq (local.get $c) (i32.const 123))))
          (local.set $sp (i32.add (local.get $sp) (i32.const 1)))
          (local.set $state (select (i32.const 2) (i32.const 0) (i32.eq (local.get $c) (i32.const 123))))
          (br $step)))
      (if (i32.or (i32.eq (local.get $c) (i32.const 45))
                  (i32.and (i32.ge_s (local.get $c) (i32.const 48)) (i32.le_s (local.get $c) (i32.const 57))))
        (then
          (if (i32.eqz (call $number)) (then (return (i32.const 0))))
          (br $step)))
      ;; true, false, null: their bytes are at $lits ("truefalsenull").
      (if (i32.eq (local.get $c) (i32.const 116))
        (then (if (call $literal (local.get $lits) (i32.const 4)) (then (br $step)))))
      (if (i32.eq (local.get $c) (i32.const 102))
        (then (if (call $literal (i32.add (local.get $lits) (i32.const 4)) (i32.const 5)) (then (br $step)))))
      (if (i32.eq (local.get $c) (i32.const 110))
        (then (if (call $literal (i32.add (local.get $lits) (i32.const 9)) (i32.const 4)) (then (br $step)))))
      (return (i32.const 0)))
    (i32.const 0))

  ;; Whether the n bytes at a are one of the names at list (each a length byte and its bytes;
  ;; a length 0 ends the list).
  (func $listed (param $a i32) (param $n i32) (param $list i32) (result i32)
    (local $len i32)
    (loop $next
      (local.set $len (i32.load8_u (local.get $list)))
      (if (i32.eqz (local.get $len)) (then (return (i32.const 0))))
      (if (i32.eq (local.get $len) (local.get $n))
        (then (if (call $equal (local.get $a) (i32.add (local.get $list) (i32.const 1)) (local.get $n))
          (then (return (i32.const 1))))))
      (local.set $list (i32.add (local.get $list) (i32.add (local.get $len) (i32.const 1))))
      (br $next))
    (i32.const 0))

  ;; Copies n bytes from a to the output; whether they fit.
  (func $emit (param $a i32) (param $n i32) (result i32)
    (if (i32.gt_u (i32.add (global.get $o) (local.get $n)) (global.get $oend))
      (then (return (i32.const 0))))
    (memory.copy (global.get $o) (local.get $a) (local.get $n))
    (global.set $o (i32.add (global.get $o) (local.get $n)))
    (i32.const 1))

  ;; Writes one byte to the output; whether it fit.
  (func $emitByte (param $c i32) (result i32)
    (if (i32.ge_u (global.get $o) (global.get $oend)) (then (return (i32.const 0))))
    (i32.store8 (global.get $o) (local.get $c))
    (global.set $o (i32.add (global.get $o) (i32.const 1)))
    (i32.const 1))

  ;; The members of the object at $p (its opening brace): those whose key is in keep are
  ;; copied, the value of the one whose key is parent (an object) reduced to its members in
  ;; inner (parent 0: none). Checks the rest and moves past the object.
  (func $members (param $keep i32) (param $parent i32) (param $inner i32) (param $lits i32)
    (result i32)
    (local $k i32) (local $kn i32) (local $v i32) (local $first i32) (local $reduce i32)
    (global.set $p (i32.add (global.get $p) (i32.const 1)))
    (if (i32.eqz (call $emitByte (i32.const 123))) (then (return (i32.const 0))))
    (local.set $first (i32.const 1))
    (call $ws)
    (if (i32.eq (call $peek) (i32.const 125))
      (then
        (global.set $p (i32.add (global.get $p) (i32.const 1)))
        (return (call $emitByte (i32.const 125)))))
    (loop $member
      (call $ws)
      (if (i32.ne (call $peek) (i32.const 34)) (then (return (i32.const 0))))
      (local.set $k (global.get $p))
      (global.set $escaped (i32.const 0))
      (if (i32.eqz (call $string)) (then (return (i32.const 0))))
      ;; A key with an escape may spell a listed one: not sure.
      (if (global.get $escaped) (then (return (i32.const 0))))
      (local.set $kn (i32.sub (global.get $p) (local.get $k)))
      (call $ws)
      (if (i32.ne (call $peek) (i32.const 58)) (then (return (i32.const 0))))
      (global.set $p (i32.add (global.get $p) (i32.const 1)))
      (call $ws)
      (local.set $v (global.get $p))
      (local.set $reduce (i32.const 0))
      (if (i32.and (i32.ne (local.get $parent) (i32.const 0)) (i32.eq (call $peek) (i32.const 123)))
        (then (local.set $reduce
          (call $listed (i32.add (local.get $k) (i32.const 1)) (i32.sub (local.get $kn) (i32.const 2))
            (local.get $parent)))))
      (if (local.get $reduce)
        (then
          (if (i32.eqz (local.get $first))
            (then (if (i32.eqz (call $emitByte (i32.const 44))) (then (return (i32.const 0))))))
          (local.set $first (i32.const 0))
          (if (i32.eqz (call $emit (local.get $k) (local.get $kn))) (then (return (i32.const 0))))
          (if (i32.eqz (call $emitByte (i32.const 58))) (then (return (i32.const 0))))
          (if (i32.eqz (call $members (local.get $inner) (i32.const 0) (i32.const 0) (local.get $lits)))
            (then (return (i32.const 0)))))
        (else
          (if (i32.eqz (call $value (local.get $lits))) (then (return (i32.const 0))))
          (if (call $listed (i32.add (local.get $k) (i32.const 1)) (i32.sub (local.get $kn) (i32.const 2))
                (local.get $keep))
            (then
              (if (i32.eqz (local.get $first))
                (then (if (i32.eqz (call $emitByte (i32.const 44))) (then (return (i32.const 0))))))
              (local.set $first (i32.const 0))
              (if (i32.eqz (call $emit (local.get $k) (local.get $kn))) (then (return (i32.const 0))))
              (if (i32.eqz (call $emitByte (i32.const 58))) (then (return (i32.const 0))))
              (if (i32.eqz (call $emit (local.get $v) (i32.sub (global.get $p) (local.get $v))))
                (then (return (i32.const 0))))))))
      (call $ws)
      (if (i32.eq (call $peek) (i32.const 44))
        (then
          (global.set $p (i32.add (global.get $p) (i32.const 1)))
          (br $member)))
      (if (i32.ne (call $peek) (i32.const 125)) (then (return (i32.const 0))))
      (global.set $p (i32.add (global.get $p) (i32.const 1))))
    (call $emitByte (i32.const 125)))

  ;; The reduced object of the line in [from, to) at out (at most outLength bytes), and its
  ;; length, or -1 (see above). keep, parent and inner are name lists (see $listed); lits holds
  ;; "truefalsenull"; stack is room for stackLength levels of nesting.
  (func (export "reduce") (param $from i32) (param $to i32) (param $out i32) (param $outLength i32)
    (param $keep i32) (param $parent i32) (param $inner i32) (param $lits i32)
    (param $stack i32) (param $stackLength i32) (result i32)
    (global.set $p (local.get $from))
    (global.set $end (local.get $to))
    (global.set $o (local.get $out))
    (global.set $oend (i32.add (local.get $out) (local.get $outLength)))
    (global.set $stack (local.get $stack))
    (global.set $stackEnd (i32.add (local.get $stack) (local.get $stackLength)))
    ;; A byte order mark opening the line is dropped (as a UTF-8 decoder drops it).
    (if (i32.and (i32.le_u (i32.add (global.get $p) (i32.const 3)) (global.get $end))
          (i32.eq (i32.and (i32.load (global.get $p)) (i32.const 0xffffff)) (i32.const 0xbfbbef)))
      (then (global.set $p (i32.add (global.get $p) (i32.const 3)))))
    (call $ws)
    (if (i32.ne (call $peek) (i32.const 123)) (then (return (i32.const -1))))
    (if (i32.eqz (call $members (local.get $keep) (local.get $parent) (local.get $inner) (local.get $lits)))
      (then (return (i32.const -1))))
    (call $ws)
    (if (i32.ne (global.get $p) (global.get $end)) (then (return (i32.const -1))))
    (i32.sub (global.get $o) (local.get $out)))
)
