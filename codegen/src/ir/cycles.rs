//! Breaking recursive types: a field that refers back into its own cycle gets a `Box`, and
//! aliases that refer to themselves become newtypes (or JSON, when they say nothing).
//!
//! `Vec` and maps already allocate, so only direct references (plain or through `Option`)
//! count as edges for boxing. Cycles are found as strongly connected components (Tarjan,
//! iterative), so no step recurses over the depth of the type graph.

use std::path::Path;

use super::model::{Builtin, Field, TypeDef, TypeId, TypeKind, TypeRef};
use super::visit::{self, Descend};
use crate::diagnostic::Diagnostic;

/// Makes alias cycles valid Rust: `pub type Tree = Vec<Tree>;` is a compile error, so an alias
/// that reaches itself only through other aliases becomes a serde-transparent newtype; one
/// that reaches itself without a `Vec` or map in between (`A: {$ref: A}`, a one-member
/// `oneOf` of itself) describes no value at all and is typed as JSON, with a warning.
pub fn resolve_alias_cycles(types: &mut [TypeDef], file: &Path, warnings: &mut Vec<Diagnostic>) {
    let is_alias = |def: &TypeDef| matches!(def.kind, TypeKind::Alias(_));
    let alias_edges = |types: &[TypeDef], direct_only: bool| -> Vec<Vec<usize>> {
        types
            .iter()
            .map(|def| match &def.kind {
                TypeKind::Alias(ty) => {
                    let mut out = Vec::new();
                    if direct_only {
                        direct_named(ty, &mut out);
                    } else {
                        visit::named_types(ty, &mut out);
                    }
                    out.retain(|&target| types.get(target.index()).is_some_and(is_alias));
                    out.into_iter().map(TypeId::index).collect()
                }
                _ => Vec::new(),
            })
            .collect()
    };
    let direct = alias_edges(types, true);
    for id in cyclic(&direct) {
        warnings.push(Diagnostic::at_pointer(
            file,
            types[id].pointer.clone(),
            format!(
                "`{}` is an alias of itself (through aliases only), which describes no value; typed as JSON",
                types[id].name
            ),
        ));
        types[id].kind = TypeKind::Alias(TypeRef::Builtin(Builtin::Json));
    }
    let through_containers = alias_edges(types, false);
    for id in cyclic(&through_containers) {
        if let TypeKind::Alias(ty) = &types[id].kind {
            types[id].kind = TypeKind::Newtype(ty.clone());
        }
    }
}

/// The nodes that lie on a cycle: in a component of two or more, or with an edge to themselves.
fn cyclic(edges: &[Vec<usize>]) -> Vec<usize> {
    let component = strongly_connected(edges);
    let mut size = vec![0usize; edges.len()];
    for &c in &component {
        size[c] += 1;
    }
    (0..edges.len())
        .filter(|&id| size[component[id]] > 1 || edges[id].contains(&id))
        .collect()
}

/// Replaces cycle-closing direct references with `Boxed` ones.
pub fn break_cycles(types: &mut [TypeDef]) {
    let edges: Vec<Vec<usize>> = types.iter().map(direct_refs).collect();
    let component = strongly_connected(&edges);
    for id in 0..types.len() {
        let in_cycle = |target: TypeId| {
            let target = target.index();
            component.get(target) == component.get(id) && (target != id || edges[id].contains(&id))
        };
        match &mut types[id].kind {
            TypeKind::Struct(s) => {
                for Field { ty, .. } in &mut s.fields {
                    box_direct(ty, &in_cycle);
                }
            }
            TypeKind::Union(u) => {
                for variant in &mut u.variants {
                    box_direct(&mut variant.ty, &in_cycle);
                }
            }
            TypeKind::Newtype(ty) => box_direct(ty, &in_cycle),
            // An alias cannot hold a Box of itself meaningfully; its users box instead.
            TypeKind::Alias(_) | TypeKind::StringEnum(_) | TypeKind::Responses(_) => {}
        }
    }
}

fn box_direct(ty: &mut TypeRef, in_cycle: &impl Fn(TypeId) -> bool) {
    match ty {
        TypeRef::Named(id) if in_cycle(*id) => *ty = TypeRef::Boxed(*id),
        TypeRef::Option(inner) => box_direct(inner, in_cycle),
        _ => {}
    }
}

/// The types a definition holds directly (plain or through `Option`), as table indexes.
/// Extra properties live in a map, which already allocates, so they are no edge.
fn direct_refs(def: &TypeDef) -> Vec<usize> {
    let mut out = Vec::new();
    let mut direct = |ty: &TypeRef| direct_named(ty, &mut out);
    match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().for_each(|f| direct(&f.ty)),
        TypeKind::Union(u) => u.variants.iter().for_each(|v| direct(&v.ty)),
        TypeKind::Alias(ty) | TypeKind::Newtype(ty) => direct(ty),
        TypeKind::StringEnum(_) | TypeKind::Responses(_) => {}
    }
    out.into_iter().map(TypeId::index).collect()
}

/// The generated types `ty` holds without a box or a container in between.
fn direct_named(ty: &TypeRef, out: &mut Vec<TypeId>) {
    visit::walk(ty, &mut |node| match node {
        TypeRef::Named(id) => {
            out.push(*id);
            Descend::No
        }
        TypeRef::Option(_) => Descend::Yes,
        TypeRef::Boxed(_) | TypeRef::Builtin(_) | TypeRef::Vec(_) | TypeRef::Map(_) => Descend::No,
    });
}

/// Tarjan's algorithm, iterative so deep type graphs cannot overflow the stack.
/// Returns each node's component number; components are numbered sinks first (every edge
/// leads to a component numbered no higher than its source's).
pub(super) fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![UNSEEN; n];
    let mut next_index = 0;
    let mut next_component = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (node, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[node] == UNSEEN {
                index[node] = next_index;
                low[node] = next_index;
                next_index += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            if let Some(&target) = edges[node].get(*edge) {
                *edge += 1;
                if index[target] == UNSEEN {
                    work.push((target, 0));
                } else if on_stack[target] {
                    low[node] = low[node].min(index[target]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_group_cycles() {
        // 0 -> 1 -> 0, 2 -> 2, 3 alone
        let c = strongly_connected(&[vec![1], vec![0], vec![2], vec![]]);
        assert_eq!(c[0], c[1]);
        assert_ne!(c[0], c[2]);
        assert_ne!(c[2], c[3]);
    }
}
