//! Token generation, and the pipeline every macro runs: parse the input
//! into the model (`model`), validate it (`check`), and only when nothing
//! is wrong, expand it. Expansion modules read the validated model and emit
//! tokens; they report nothing and name larder only through `exports`.

mod asset;
mod dynamic;
mod job;
mod key;
mod manager;
mod multi_asset;
mod op;
mod resource;
mod step;

use proc_macro2::TokenStream;
use quote::quote;

use crate::attr::Errors;
use crate::check;
use crate::item::{self, Function};
use crate::model::{JobFn, ManagerDecl, ManagerKind, StepFn, StepKind};

/// The annotated function, or the tokens to emit when it is none.
fn function(item: &TokenStream, msg: &str) -> Result<Function, TokenStream> {
    syn::parse2(item.clone()).map_err(|_| {
        let err = item::not_a_function(item, msg);
        quote! { #item #err }
    })
}

pub fn asset(args: TokenStream, item: TokenStream) -> TokenStream {
    step_fn(StepKind::Asset, args, item)
}

pub fn op(args: TokenStream, item: TokenStream) -> TokenStream {
    step_fn(StepKind::Op, args, item)
}

pub fn multi_asset(args: TokenStream, item: TokenStream) -> TokenStream {
    step_fn(StepKind::MultiAsset, args, item)
}

fn step_fn(kind: StepKind, args: TokenStream, item: TokenStream) -> TokenStream {
    let msg = format!("{} can only be used on a function", kind.what());
    let func = match function(&item, &msg) {
        Ok(f) => f,
        Err(tokens) => return tokens,
    };
    let mut errors = Errors::default();
    let mut step = StepFn::parse(kind, args, func, &mut errors);
    check::step(&mut step, &mut errors);
    match (kind, errors.is_empty()) {
        (StepKind::Asset, true) => asset::expand(&step),
        (StepKind::Op, true) => op::expand(&step),
        (StepKind::MultiAsset, true) => multi_asset::expand(&step),
        (StepKind::MultiAsset, false) => {
            step::fallback(&step.func, &errors, multi_asset::dummy_members())
        }
        (StepKind::Asset, false) => step::fallback(&step.func, &errors, asset::dummy_members()),
        (StepKind::Op, false) => {
            let fallback = step::fallback(&step.func, &errors, op::dummy_members());
            let op_proxy = op::op_proxy(&step.func, &step.managed_inputs());
            quote! { #fallback #op_proxy }
        }
    }
}

pub fn job(args: TokenStream, item: TokenStream) -> TokenStream {
    let func = match function(&item, "`#[job]` can only be used on a function") {
        Ok(f) => f,
        Err(tokens) => return tokens,
    };
    let mut errors = Errors::default();
    let mut job = JobFn::parse(args, func, &mut errors);
    check::job(&mut job, &mut errors);
    if errors.is_empty() {
        job::expand(&job)
    } else {
        job::fallback(&job, &errors)
    }
}

pub fn io_manager(args: TokenStream, item: TokenStream) -> TokenStream {
    manager_fn(
        ManagerKind::IoManagerFn,
        args,
        item,
        "`#[io_manager]` can only be used on a function returning a manager; on a struct, use `#[derive(ConfigurableIOManager)]` with `#[io_manager(key = \"...\")]`",
    )
}

pub fn input_manager(args: TokenStream, item: TokenStream) -> TokenStream {
    manager_fn(
        ManagerKind::InputManagerFn,
        args,
        item,
        "`#[input_manager]` can only be used on a load function",
    )
}

pub fn resource(args: TokenStream, item: TokenStream) -> TokenStream {
    manager_fn(
        ManagerKind::ResourceFn,
        args,
        item,
        "`#[resource]` can only be used on a function returning the resource; on a config struct, use `#[derive(ConfigurableResource)]` with `#[resource(key = \"...\")]`",
    )
}

pub fn derive_resource(item: TokenStream) -> TokenStream {
    derive(ManagerKind::DeriveResource, item)
}

fn manager_fn(kind: ManagerKind, args: TokenStream, item: TokenStream, msg: &str) -> TokenStream {
    let func = match function(&item, msg) {
        Ok(f) => f,
        Err(tokens) => return tokens,
    };
    let mut errors = Errors::default();
    let decl = ManagerDecl::parse_fn(kind, args, func, &mut errors);
    manager_checked(decl, errors)
}

pub fn derive_manager(item: TokenStream) -> TokenStream {
    derive(ManagerKind::DeriveManager, item)
}

pub fn derive_factory(item: TokenStream) -> TokenStream {
    derive(ManagerKind::DeriveFactory, item)
}

fn derive(kind: ManagerKind, item: TokenStream) -> TokenStream {
    let input = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::default();
    let decl = ManagerDecl::parse_derive(kind, input, &mut errors);
    manager_checked(decl, errors)
}

fn manager_checked(mut decl: ManagerDecl, mut errors: Errors) -> TokenStream {
    check::manager(&mut decl, &mut errors);
    if errors.is_empty() {
        manager::expand(&decl)
    } else {
        manager::fallback(&decl, &errors)
    }
}
