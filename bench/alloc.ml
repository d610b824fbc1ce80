(* The OCaml counterpart of alloc.tes: the same strings and arrays. *)
let () =
  let kept = ref [] in
  let sum = ref 0 in
  for i = 0 to 1999999 do
    let s = "item-" ^ string_of_int i in
    let parts = [| s; "x"; s |] in
    sum := !sum + String.length parts.(0) + Array.length parts;
    if i mod 10 = 0 then kept := s :: !kept
  done;
  let total = List.fold_left (fun t s -> t + String.length s) 0 !kept in
  Printf.printf "%d\n%d\n" !sum total
