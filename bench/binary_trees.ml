(* The OCaml counterpart of binary_trees.tes: the same trees, depth 18,
   every node allocated. ocamlopt compiles a constant `Node (Empty, Empty)`
   into one static block that every leaf shares, which halves the
   allocations (102M words instead of 205M, OCAMLRUNPARAM=v=0x400);
   `Sys.opaque_identity` makes each leaf a new node, as the Tessera, C and
   Java twins make theirs. binary_trees_shared_leaf compares the shared
   leaf in Tessera, C and OCaml. *)
type tree = Empty | Node of tree * tree

let rec bottom_up depth =
  if depth = 0 then Node (Sys.opaque_identity Empty, Empty)
  else Node (bottom_up (depth - 1), bottom_up (depth - 1))

let rec check = function
  | Node (l, r) -> (match l with Empty -> 1 | _ -> 1 + check l + check r)
  | Empty -> 0

let () =
  let max_depth = 18 in
  let stretch = max_depth + 1 in
  Printf.printf "stretch tree of depth %d\t check: %d\n" stretch (check (bottom_up stretch));
  let long_lived = bottom_up max_depth in
  let depth = ref 4 in
  while !depth <= max_depth do
    let iterations = 1 lsl (max_depth - !depth + 4) in
    let c = ref 0 in
    for _ = 1 to iterations do
      c := !c + check (bottom_up !depth)
    done;
    Printf.printf "%d\t trees of depth %d\t check: %d\n" iterations !depth !c;
    depth := !depth + 2
  done;
  Printf.printf "long lived tree of depth %d\t check: %d\n" max_depth (check long_lived)
